#pragma once
// A route: a path pattern, the methods it answers, its handler and typed metadata that
// the security layers read (body size, CSRF exemption, rate limits, authentication).
#include <bastion/app/middleware.hpp>
#include <bastion/routing/route_pattern.hpp>

#include <boost/beast/http/verb.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bastion {

class blueprint;
class header_policy;

enum class auth_requirement {
  none,   // anyone
  login,  // a logged-in user: HTML gets 302 to the login page, APIs 401
  role,   // a logged-in user with route_options::role, else 403
};

struct route_options {
  std::string name;                          // for url_for(); blueprint routes become "<bp>.<name>"
  std::optional<std::size_t> max_body_bytes; // overrides MAX_CONTENT_LENGTH for this route (413 above)
  bool probe = false;                        // liveness/readiness probe: skips every layer that could block it
  bool blocking = false;                     // may block (database, files, upstream calls): runs on the
                                             // blocking pool (BLOCKING_THREADS) so its event loop keeps serving
  bool csrf_exempt = false;                  // skip CSRF checks (listed by `routes` and `check --deploy`)
  std::vector<std::string> rate_limits;      // limit expressions, e.g. "5 per minute"
  bool rate_limit_exempt = false;            // no default limits either
  auth_requirement auth = auth_requirement::none;  // who may call it
  std::string role;                          // with auth_requirement::role
  std::vector<middleware> layers;            // innermost middleware, this route only
  std::shared_ptr<const header_policy> headers;  // security headers and CSP for this route
                                                 // (header_policy::make); null = the app's
};

struct route {
  route_pattern pattern;
  std::vector<http::verb> methods;
  handler fn;
  route_options options;
  const blueprint* owner = nullptr;  // for blueprint error handlers; null for app routes
  pipeline chain;                    // built when the app is frozen
};

}  // namespace bastion
