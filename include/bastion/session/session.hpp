#pragma once
// The session of the current request, as handlers see it (`session_of(req)`).
//
// Server-side: the cookie holds only a signed random 256-bit id; the data stays in the
// store (SESSION_STORE_URI), so logging out, a password change or an admin really end a
// session. Nothing is stored, and no cookie is sent, until something is written (a
// value, a login, a CSRF token).
//
//   auto& s = bastion::session_of(req);
//   s.set("theme", "dark");
//   s.login(user_id);          // new id (no fixation), new CSRF secret, listed under the user
//   s.destroy();               // logout: removed from the store, cookie deleted
#include <bastion/session/session_store.hpp>

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace bastion {

class request;
class session_manager;

class session {
 public:
  // A logged-in session (its user id is not empty).
  bool authenticated() const noexcept { return !record_.user_id.empty(); }
  const std::string& user_id() const noexcept { return record_.user_id; }
  // Unix seconds when the session began (the login for authenticated ones).
  std::int64_t created() const noexcept { return record_.created; }
  // A short public name of this session (what a user sees in their session list).
  std::string handle() const;

  // ---- the application's values ----
  const boost::json::value* get(std::string_view key) const noexcept;
  void set(std::string_view key, boost::json::value value);
  void erase(std::string_view key);

  // ---- authentication ----
  // Logs `user_id` in: a fresh id, a fresh CSRF secret, the record listed under the user.
  // Values set before (a cart, a theme) are kept.
  void login(std::string user_id);
  // After login(): keep this browser logged in beyond the session (REMEMBER_ME, for
  // REMEMBER_ME_DURATION). False, and nothing remembered, when the app has it off.
  bool remember() noexcept;
  // Ends the session: removed from the store, the cookie deleted, the request anonymous;
  // a remember-me token of this browser is forgotten too.
  void destroy();
  // A new id for the same record (after any privilege change).
  void regenerate() noexcept { regenerate_ = true; }

  // The secret CSRF tokens are bound to (made, and the session stored, on first use).
  const std::string& csrf_secret();
  // The secret if one was made, else "" (checking a token never creates one).
  const std::string& csrf_secret_if_any() const noexcept { return record_.csrf_secret; }

  // False for requests that carry an Authorization header: they have no ambient
  // authority, so no session is read or written for them.
  bool available() const noexcept { return available_; }

 private:
  friend class session_manager;
  session_record record_;
  std::string id_;   // the cookie's id ("" = none yet)
  std::string key_;  // the store key: hex SHA-256 of id_
  bool loaded_ = false;        // record_ came from the store
  bool dirty_ = false;         // record_ changed
  bool regenerate_ = false;    // give it a new id when saving
  bool destroyed_ = false;
  bool clear_cookie_ = false;  // the request's cookie named no usable session
  bool available_ = true;
  bool remember_allowed_ = false;  // REMEMBER_ME is on
  bool remember_ = false;          // issue a remember-me token when saving
  bool clear_remember_ = false;    // delete the remember-me cookie
  std::string next_remember_cookie_;  // a restored session: the token that replaces the used one
  std::int64_t next_remember_age_ = 0;
};

// The request's session. Throws std::logic_error when the app has sessions turned off.
session& session_of(request& req);
// The session if the session layer ran for this request, else null.
session* find_session(request& req) noexcept;

}  // namespace bastion
