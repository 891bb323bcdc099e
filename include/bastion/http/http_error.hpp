#pragma once
// The one error a handler throws on purpose: a status and a public message.
//
// `throw http_error(404)` or `throw http_error(422, "validation failed", {{"fields", ...}})`.
// The outermost layer of the pipeline turns it into the contract's JSON or HTML error
// page through the error handlers. Anything else a handler throws becomes a generic 500
// whose detail is logged, never sent.
#include <boost/json/object.hpp>

#include <stdexcept>
#include <string>

namespace bastion {

class http_error : public std::runtime_error {
 public:
  explicit http_error(unsigned status, std::string public_message = {},
                      boost::json::object extra = {})
      : std::runtime_error(public_message), status_(status), extra_(std::move(extra)) {}

  unsigned status() const noexcept { return status_; }
  // Safe to show to the client. Empty means "use the standard text for the status".
  std::string_view public_message() const noexcept { return what(); }
  // Extra members merged into the JSON error body (e.g. "fields" for 422).
  const boost::json::object& extra() const noexcept { return extra_; }

 private:
  unsigned status_;
  boost::json::object extra_;
};

// The short, lower-case public text for a status ("not found", "too many requests").
std::string_view default_error_message(unsigned status) noexcept;

}  // namespace bastion
