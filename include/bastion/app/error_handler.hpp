#pragma once
// Error handlers: what the client sees for a status >= 400.
//
// A handler that throws http_error, a failed check (404, 405, 413, ...) or any other
// exception ends up here. Lookup: the route's blueprint handlers, then the app's, then
// the built-in renderer (JSON `{"error": "..."}` for /api/ paths and JSON clients, a
// small HTML page otherwise). Internal detail never reaches these functions except in
// development for loopback clients.
#include <bastion/http/request.hpp>
#include <bastion/http/response.hpp>

#include <boost/json/object.hpp>

#include <functional>
#include <string_view>

namespace bastion {

struct error_info {
  unsigned status = 500;
  std::string_view message;               // public text ("not found" or the http_error message)
  const boost::json::object* extra = nullptr;  // extra JSON members from http_error, may be null
  std::string_view debug_detail;          // exception text; empty unless development + loopback
};

using error_handler_fn = std::function<void(request&, response&, const error_info&)>;

// The built-in renderer. Escapes everything; adds the request id.
void render_default_error(request& req, response& res, const error_info& info);

}  // namespace bastion
