#pragma once
// Remember-me tokens (REMEMBER_ME, off by default): a long-lived cookie that logs its user
// back in when the session has ended.
//
// The cookie is "<selector>.<validator>", two random values (128 and 256 bits). The store
// keeps, under "remember-" + SHA-256(selector) and listed under the user like a session,
// only the user id, SHA-256(validator) and when the login was; so a copy of the store logs
// nobody in, and ending a user's sessions (password change, an admin) ends their
// remembered browsers too. Each use replaces the validator (the selector stays, naming the
// browser) without extending the token's life past REMEMBER_ME_DURATION from the login.
// The selector with an older validator than the last one it replaced means two browsers
// hold the same token: one copied it. Every session and token of that user ends. The
// validator replaced last is only refused, not alarmed on: a browser's own parallel
// requests, or a failed response that never delivered its successor, present it.
#include <bastion/session/session_store.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bastion::detail {

inline constexpr std::string_view remember_key_prefix = "remember-";

struct remembered {
  enum class outcome { logged_in, unknown, stolen, store_failed } result = outcome::unknown;
  std::string user_id;
  std::string next_cookie;   // logged_in: the cookie value that replaces the used one
  std::int64_t seconds_left = 0;  // logged_in: its Max-Age
};

class remember_me {
 public:
  remember_me(session_store& store, std::chrono::seconds duration) : store_(store), duration_(duration) {}

  // A token for a login of `user_id` now: its cookie value, or nullopt when the store failed.
  std::optional<std::string> issue(std::string_view user_id, std::int64_t now) const;
  // Checks a cookie value and, when it logs its user in, replaces its validator.
  remembered redeem(std::string_view cookie_value, std::int64_t now) const;
  // Forgets the token of a cookie value (logout).
  void forget(std::string_view cookie_value) const;
  std::chrono::seconds duration() const noexcept { return duration_; }

 private:
  std::int64_t left(std::int64_t issued, std::int64_t now) const noexcept { return issued + duration_.count() - now; }

  session_store& store_;
  std::chrono::seconds duration_;
};

}  // namespace bastion::detail
