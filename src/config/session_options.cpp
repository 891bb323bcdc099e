// Sessions, CSRF, login and password hashing options. Read by auth_settings_from.
#include <bastion/config/config.hpp>

#include "config/option_helpers.hpp"

namespace bastion {

std::vector<option_spec> session_options_list() {
  using namespace detail;
  using o = option_type;
  std::vector<option_spec> v;
  v.push_back(spec("SESSIONS", o::boolean, "true", "server-side sessions (and with them login and CSRF tokens)"));
  v.push_back(secret(spec("SESSION_STORE_URI", o::string, "memory://", "memory://, redis://host:port/db, database:// (DATABASE_URL) or cookie:// (signed, not revocable)")));
  v.push_back(spec("SESSION_COOKIE_NAME", o::string, "session", "session cookie name (\"__Host-\" is prepended when Secure)"));
  v.push_back(in_production(spec("SESSION_COOKIE_SECURE", o::boolean, "false",
                                 "Secure flag on the session cookie even over plain http (on in production)"),
                            "true"));
  v.push_back(choices(spec("SESSION_COOKIE_SAMESITE", o::string, "lax", "SameSite of the session cookie"), {"lax", "strict"}));
  v.push_back(bounded(spec("SESSION_IDLE_TIMEOUT", o::duration, "30m", "a session unused this long ends"), 1000,
                      std::int64_t(30) * 24 * 3600 * 1000));
  v.push_back(bounded(spec("SESSION_ABSOLUTE_TIMEOUT", o::duration, "12h", "a session this old ends, however active"),
                      1000, std::int64_t(365) * 24 * 3600 * 1000));
  v.push_back(bounded(spec("SESSION_MEMORY_MAX", o::integer, "100000", "memory://: most sessions kept (oldest go first)"),
                      16, 100'000'000));
  v.push_back(spec("REMEMBER_ME", o::boolean, "false", "remember-me tokens: session::remember() keeps a browser logged in"));
  v.push_back(bounded(spec("REMEMBER_ME_DURATION", o::duration, "14d", "how long a remembered browser stays logged in, from the login"),
                      1000, std::int64_t(365) * 24 * 3600 * 1000));
  v.push_back(spec("CSRF_ENABLED", o::boolean, "true", "CSRF checks on unsafe methods (routes may be exempted)"));
  v.push_back(bounded(spec("CSRF_TIME_LIMIT", o::duration, "1h", "how long a CSRF token stays valid"), 1000,
                      std::int64_t(7) * 24 * 3600 * 1000));
  v.push_back(spec("CSRF_TRUSTED_ORIGINS", o::list, "", "other origins whose requests pass the Origin check (https://admin.example.com)"));
  v.push_back(spec("LOGIN_URL", o::string, "/login", "where anonymous requests to login-only pages are sent"));
  v.push_back(bounded(spec("PASSWORD_HASH_MEMORY_KIB", o::integer, "19456", "Argon2id memory per hash (OWASP floor 19456)"),
                      19456, 4 * 1024 * 1024));
  v.push_back(bounded(spec("PASSWORD_HASH_ITERATIONS", o::integer, "2", "Argon2id passes (OWASP floor 2)"), 2, 100));
  v.push_back(bounded(spec("PASSWORD_MIN_LENGTH", o::integer, "12", "shortest password accepted"), 8, 1024));
  return v;
}

}  // namespace bastion
