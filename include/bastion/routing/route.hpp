#pragma once
// A route: a path pattern, the methods it answers, its handler and typed metadata that
// the security layers read (body size, CSRF exemption, rate limits, authentication).
#include <bastion/app/middleware.hpp>
#include <bastion/routing/route_pattern.hpp>

#include <boost/beast/http/verb.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
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

// One rate-limit rule: limits counted under one key. A route may have several (e.g.
// POST /login: per client address and per submitted username).
struct rate_limit_rule {
  std::string limits;                                // "5 per minute;100 per day" (checked at startup)
  std::function<std::string(const request&)> key;    // whose hits count together; empty = the client
                                                     // address (IPv6 grouped by RATELIMIT_IPV6_PREFIX);
                                                     // returning "" skips the rule for that request
  std::string scope;                                 // routes with the same scope share counters
                                                     // ("" = this route only)
  std::uint32_t cost = 1;                            // units one request takes (weighted limits)
  std::optional<bool> fail_open;                     // storage down: true = in-memory fallback, false = 503;
                                                     // unset = RATELIMIT_FAIL_OPEN
  std::function<bool(const request&)> exempt_when;   // conditional exemption
};

struct route_options {
  std::string name;                          // for url_for(); blueprint routes become "<bp>.<name>"
  std::optional<std::size_t> max_body_bytes; // overrides MAX_CONTENT_LENGTH for this route (413 above)
  bool probe = false;                        // liveness/readiness probe: skips every layer that could block it
  bool blocking = false;                     // may block (database, files, upstream calls): runs on the
                                             // blocking pool (BLOCKING_THREADS) so its event loop keeps serving
  bool csrf_exempt = false;                  // skip CSRF checks (listed by `routes` and `check --deploy`)
  std::vector<std::string> rate_limits;      // limit expressions by client address, e.g. "5 per minute"
  std::vector<rate_limit_rule> rate_limit_rules;  // limits with their own key, scope, cost or failure policy
  bool rate_limit_exempt = false;            // no default limits either
  auth_requirement auth = auth_requirement::none;  // who may call it
  std::string role;                          // with auth_requirement::role
  bool token_only = false;                   // only `Authorization: Bearer` counts (APIs); cookies are ignored
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
