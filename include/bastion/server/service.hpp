#pragma once
// What the server needs from an application: route a request as soon as its request
// line is known (so the body limit is the route's), then handle it.
#include <bastion/http/request.hpp>
#include <bastion/http/response.hpp>

#include <cstddef>

namespace bastion {

class service {
 public:
  virtual ~service() = default;
  // Matches the route for the request line (method, path); returns the body limit in
  // bytes for it. Called before the header block is complete.
  virtual std::size_t route_request(request& req) const = 0;
  // True when the routed request should be handled off the event loop (its handler may
  // block). Such requests are handled on the server's blocking pool.
  virtual bool blocking(const request& req) const { (void)req; return false; }
  // Writes the response. Never throws. Called on an event loop, or on the blocking
  // pool for blocking requests.
  virtual void handle(request& req, response& res) const = 0;
  // Writes the error response for a request the server refuses before it is complete
  // (400 malformed, 408, 413, 431). The request may be only partly filled. Never throws.
  virtual void reject(request& req, response& res, unsigned status) const = 0;
};

}  // namespace bastion
