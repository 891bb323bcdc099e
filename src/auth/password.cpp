#include <bastion/auth/password.hpp>

#include <sodium.h>

#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace bastion {
namespace {

class password_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "bastion.password"; }
  std::string message(int ev) const override {
    switch (static_cast<password_errc>(ev)) {
      case password_errc::too_short: return "password is too short";
      case password_errc::too_long: return "password is too long";
      case password_errc::weak_parameters: return "Argon2id parameters below the OWASP minimum (m=19456 KiB, t=2)";
      case password_errc::hash_failed: return "password hashing failed";
    }
    return "unknown password error";
  }
};

constexpr std::size_t owasp_min_memory_kib = 19456;
constexpr unsigned owasp_min_iterations = 2;

bool sodium_ready() noexcept {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

const boost::system::error_category& password_category() noexcept {
  static const password_category_impl instance;
  return instance;
}

boost::system::error_code make_error_code(password_errc e) noexcept { return {static_cast<int>(e), password_category()}; }

boost::system::result<std::string> hash_password(std::string_view password, const password_options& o) {
  if (o.memory_kib < owasp_min_memory_kib || o.iterations < owasp_min_iterations)
    return make_error_code(password_errc::weak_parameters);
  if (password.size() < o.min_length) return make_error_code(password_errc::too_short);
  if (password.size() > o.max_length) return make_error_code(password_errc::too_long);
  if (!sodium_ready()) return make_error_code(password_errc::hash_failed);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), o.iterations, o.memory_kib * 1024,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return make_error_code(password_errc::hash_failed);
  return std::string(out);
}

bool verify_password(std::string_view stored, std::string_view password) noexcept {
  if (!sodium_ready() || stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
  char buf[crypto_pwhash_STRBYTES] = {};
  stored.copy(buf, stored.size());
  return crypto_pwhash_str_verify(buf, password.data(), password.size()) == 0;
}

bool verify_unknown_user(std::string_view password, const password_options& o) {
  // One dummy hash per parameter set, made once (the first unknown user pays for it).
  static std::mutex m;
  static std::map<std::pair<std::size_t, unsigned>, std::string> dummies;
  std::string dummy;
  {
    std::lock_guard lock(m);
    auto& d = dummies[{o.memory_kib, o.iterations}];
    if (d.empty()) {
      password_options any = o;
      any.min_length = 0;
      auto h = hash_password("bastion-dummy-password-for-unknown-users", any);
      if (h) d = std::move(*h);
    }
    dummy = d;
  }
  (void)verify_password(dummy, password);
  return false;
}

bool needs_rehash(std::string_view stored, const password_options& o) noexcept {
  if (!sodium_ready() || stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return true;
  char buf[crypto_pwhash_STRBYTES] = {};
  stored.copy(buf, stored.size());
  return crypto_pwhash_str_needs_rehash(buf, o.iterations, o.memory_kib * 1024) != 0;
}

}  // namespace bastion
