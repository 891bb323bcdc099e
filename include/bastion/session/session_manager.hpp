#pragma once
// Loads and saves the session of every request (its middleware runs before the CSRF and
// authentication layers), and lets an app list and end sessions per user.
//
// Timeouts (OWASP ASVS 7.3): a session unused for `idle_timeout` or older than
// `absolute_timeout` is over; its cookie then gives an anonymous session and a log line,
// never an error page, as does a tampered, truncated or unknown cookie.
#include <bastion/app/middleware.hpp>
#include <bastion/auth/key_ring.hpp>
#include <bastion/session/session.hpp>
#include <bastion/session/session_store.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace bastion {

namespace detail {
class remember_me;
}

struct session_options {
  std::string store_uri = "memory://";          // SESSION_STORE_URI (memory, redis, database or cookie)
  std::string cookie_name = "session";          // SESSION_COOKIE_NAME; "__Host-" is prepended over https
  bool cookie_secure = true;                    // SESSION_COOKIE_SECURE: Secure flag even on plain http
  same_site cookie_same_site = same_site::lax;  // SESSION_COOKIE_SAMESITE
  std::chrono::seconds idle_timeout{30 * 60};   // SESSION_IDLE_TIMEOUT
  std::chrono::seconds absolute_timeout{12 * 3600};  // SESSION_ABSOLUTE_TIMEOUT
  std::chrono::seconds touch_interval{60};      // last use is written at most this often
  bool remember_me = false;                     // REMEMBER_ME: session::remember() works
  std::chrono::seconds remember_duration{14 * 24 * 3600};  // REMEMBER_ME_DURATION, from the login
  std::string remember_cookie_name = "remember";  // "__Host-" is prepended over https
  session_store_options store;
};

struct session_info {
  std::string handle;      // as session::handle()
  std::int64_t created = 0;
  std::int64_t last_seen = 0;
  bool current = false;    // the session of the request that asked
};

class session_manager {
 public:
  // Throws std::invalid_argument for an unsupported SESSION_STORE_URI.
  session_manager(session_options options, const key_ring& keys);
  session_manager(session_options options, const key_ring& keys, std::unique_ptr<session_store> store);
  ~session_manager();

  // The layer that loads the session before the rest of the chain and saves it after.
  middleware layer() const;

  // ---- per-user session registry (ASVS 7.4, 7.5) ----
  // The live sessions of `user_id`; `current` marks the one of `req` (may be null).
  std::vector<session_info> sessions_of(std::string_view user_id, request* req = nullptr) const;
  // Ends the session of `user_id` called `handle`; false when there is none.
  bool end_session(std::string_view user_id, std::string_view handle) const;
  // Ends every session of `user_id` (a password change, an admin's action); with `keep`,
  // all but that request's own. Returns how many ended, or nullopt when the store failed.
  std::optional<std::size_t> end_user_sessions(std::string_view user_id, request* keep = nullptr) const;

  const session_options& options() const noexcept { return options_; }
  session_store& store() const noexcept { return *store_; }
  // The cookie name used for a request on a secure (or plain) connection.
  const std::string& cookie_name(bool secure) const;
  // The remember-me cookie's name, likewise.
  const std::string& remember_cookie(bool secure) const;

 private:
  void load(request& req, session& s) const;
  void load_session(request& req, session& s) const;
  void load_cookie_session(request& req, session& s) const;    // cookie_sessions.cpp
  void commit_cookie_session(request& req, response& res, session& s) const;
  void commit(request& req, response& res, session& s) const;
  bool load_remembered(request& req, session& s) const;
  void commit_remember(request& req, response& res, session& s, std::int64_t now) const;
  // The session cookie with `value` (a signed id, or with cookie:// the signed record).
  void set_cookie(request& req, response& res, std::string value) const;
  void clear_cookie(request& req, response& res) const;
  void set_remember_cookie(request& req, response& res, std::string value, std::int64_t max_age) const;
  std::chrono::seconds ttl(const session_record& r, std::int64_t now) const;

  session_options options_;
  signer signer_;       // the session id in the cookie
  signer data_signer_;  // cookie://: the whole record in the cookie
  std::shared_ptr<session_store> store_;
  std::unique_ptr<detail::remember_me> remember_;
  bool in_cookie_ = false;  // SESSION_STORE_URI=cookie://
  std::array<std::string, 2> cookie_names_;    // [secure]: "session", "__Host-session"
  std::array<std::string, 2> remember_names_;  // likewise for remember-me
};

}  // namespace bastion
