#pragma once
// CSRF protection for every unsafe method (POST, PUT, PATCH, DELETE, ...) of every route
// that is not explicitly exempt, in layers:
//
//   1. Fetch Metadata: `Sec-Fetch-Site: same-origin` passes, `cross-site` fails;
//   2. without it, `Origin` must be the request's own origin or a trusted one;
//   3. a client that sends neither (old browsers, scripts) must send a token, from the
//      form field `csrf_token` or the `X-CSRFToken` header.
//
// Referer is never required (it breaks `Referrer-Policy: no-referrer`). Requests with an
// Authorization header carry no cookie authority and pass. Responses to checked requests
// carry `Vary: Sec-Fetch-Site, Origin`.
//
// A token is bound to the session's CSRF secret, expires (CSRF_TIME_LIMIT, one hour by
// default), names the key that signed it (rotation through SECRET_KEY_FALLBACKS works), and
// is masked with fresh random bytes each time it is made, so no two responses carry the
// same bytes (BREACH). A failure is a 403 saying the form expired or came from elsewhere;
// the exact reason goes to the log only.
#include <bastion/app/middleware.hpp>
#include <bastion/auth/key_ring.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace bastion {

struct csrf_options {
  std::chrono::seconds time_limit{3600};     // CSRF_TIME_LIMIT
  std::vector<std::string> trusted_origins;  // CSRF_TRUSTED_ORIGINS: "https://admin.example.com"
  std::string field = "csrf_token";
  std::string header = "X-CSRFToken";
};

enum class csrf_verdict {
  not_checked,           // a safe method, an exempt route, or token authentication
  same_origin,           // Sec-Fetch-Site: same-origin
  trusted_origin,        // Origin is the request's own or a trusted one
  valid_token,           // the token checked out
  cross_site,            // Sec-Fetch-Site: cross-site
  foreign_origin,        // Origin names another site
  missing_token,
  invalid_token,         // malformed, another session's, or signed by an unknown key
  expired_token,
};
std::string_view to_string(csrf_verdict v) noexcept;
inline bool passed(csrf_verdict v) noexcept { return v <= csrf_verdict::valid_token; }

class csrf_protection {
 public:
  csrf_protection(csrf_options options, const key_ring& keys);

  // A fresh masked token for the request's session (which is stored from now on).
  // Throws std::logic_error when the request has no session.
  std::string token(request& req) const;
  // Judges an unsafe request (does not look at the method or the route).
  csrf_verdict check(request& req) const;
  // Checks unsafe methods on non-exempt routes; 403 on failure.
  middleware layer() const;

  const csrf_options& options() const noexcept { return options_; }

 private:
  csrf_verdict check_token(request& req, std::string_view token) const;
  bool origin_trusted(const request& req, std::string_view origin) const;

  csrf_options options_;
  signer signer_;
};

// The token for `req`, from the app's CSRF protection: what templates put in
// `<input type="hidden" name="csrf_token" value="{{csrf_token}}">` or a
// `<meta name="csrf-token">` for fetch() to send back as X-CSRFToken.
// Throws std::logic_error when CSRF protection or sessions are off.
std::string csrf_token(request& req);

}  // namespace bastion
