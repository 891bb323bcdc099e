#pragma once
// Cross-origin resource sharing for the paths that want it (CORS_PATHS, default /api/).
// Off until CORS_ORIGINS lists origins. Only listed origins are echoed back (never a
// reflected arbitrary Origin), `Vary: Origin` is always set on those paths, preflights
// are answered here (204 with the allowed methods and headers and a cache lifetime; 403
// for an origin, method or header not allowed). "*" together with credentials is refused
// at configuration time: browsers reject it, and echoing every origin with credentials
// instead would hand any site the user's session.
#include <bastion/app/middleware.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace bastion {

struct cors_options {
  std::vector<std::string> origins;  // "https://app.example.com" (scheme://host[:port]) or "*"
  std::vector<std::string> paths = {"/api/"};  // path prefixes CORS applies to
  bool allow_credentials = false;
  std::vector<std::string> allow_methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  std::vector<std::string> allow_headers = {"Authorization", "Content-Type", "X-CSRFToken", "X-Requested-With"};
  std::vector<std::string> expose_headers;
  std::chrono::seconds max_age{600};  // preflight cache lifetime
};

// Configuration mistakes, one message each (empty = valid).
std::vector<std::string> validate(const cors_options& options);

// Throws std::invalid_argument when validate() finds problems.
middleware cors_layer(cors_options options);

}  // namespace bastion
