#include "session/remember_me.hpp"

#include <bastion/log/log.hpp>
#include <bastion/util/digest.hpp>
#include <bastion/util/random.hpp>

#include <sodium.h>

namespace bastion::detail {
namespace {

struct token_parts {
  std::string_view selector, validator;
};

// "<selector>.<validator>": base64url of 16 and 32 random bytes.
std::optional<token_parts> split(std::string_view v) {
  const auto dot = v.find('.');
  if (dot != 22 || v.size() != 22 + 1 + 43) return std::nullopt;
  return token_parts{v.substr(0, dot), v.substr(dot + 1)};
}

std::string store_key(std::string_view selector) { return std::string(remember_key_prefix) + sha256_hex(selector); }

bool same(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<std::string> remember_me::issue(std::string_view user_id, std::int64_t now) const {
  const auto selector = random_token(16), validator = random_token(32);
  session_record r;
  r.user_id = std::string(user_id);
  r.data["v"] = sha256_hex(validator);
  r.created = now;
  r.last_seen = now;
  if (!store_.save(store_key(selector), r, duration_)) return std::nullopt;
  return selector + "." + validator;
}

remembered remember_me::redeem(std::string_view cookie_value, std::int64_t now) const {
  const auto parts = split(cookie_value);
  if (!parts) return {};
  const auto key = store_key(parts->selector);
  auto loaded = store_.load(key);
  if (!loaded) return {.result = remembered::outcome::store_failed};
  if (!loaded->has_value()) return {};
  auto r = std::move(**loaded);
  const auto* v = r.data.if_contains("v");
  const auto* previous = r.data.if_contains("p");
  if (r.user_id.empty() || !v || !v->is_string() || left(r.created, now) <= 0) return {};
  const auto presented = sha256_hex(parts->validator);
  if (!same(v->as_string(), presented)) {
    // The validator this one replaced: a parallel request of the same browser, or a
    // response that never reached it (a failed request carries no cookie). Refused, no alarm.
    if (previous && previous->is_string() && same(previous->as_string(), presented)) return {};
    (void)store_.remove_user(r.user_id, {});
    log::warn("security.session", "remember_token_reused", {{"user_id", r.user_id}});
    return {.result = remembered::outcome::stolen, .user_id = r.user_id};
  }
  const auto validator = random_token(32);
  r.data["p"] = presented;
  r.data["v"] = sha256_hex(validator);
  r.last_seen = now;
  const auto life = left(r.created, now);
  if (!store_.save(key, r, std::chrono::seconds(life))) return {.result = remembered::outcome::store_failed};
  return {.result = remembered::outcome::logged_in, .user_id = r.user_id,
          .next_cookie = std::string(parts->selector) + "." + validator, .seconds_left = life};
}

void remember_me::forget(std::string_view cookie_value) const {
  const auto parts = split(cookie_value);
  if (!parts) return;
  const auto key = store_key(parts->selector);
  auto loaded = store_.load(key);
  if (loaded && loaded->has_value()) (void)store_.remove(key, (*loaded)->user_id);
}

}  // namespace bastion::detail
