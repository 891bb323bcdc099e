#pragma once
// Password hashing with Argon2id (libsodium), never below the OWASP floor
// (m = 19 MiB, t = 2, p = 1). Hashes are PHC strings that carry their parameters.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace bastion {

struct password_options {
  std::size_t memory_kib = 19456;  // Argon2id memory; below 19456 is refused
  unsigned iterations = 2;         // Argon2id passes; below 2 is refused
  std::size_t min_length = 12;     // shortest password accepted by the policy
  std::size_t max_length = 256;    // longest (no silent truncation: longer is refused)
};

enum class password_errc {
  too_short = 1,    // shorter than password_options::min_length
  too_long,         // longer than password_options::max_length
  weak_parameters,  // options below the OWASP floor
  hash_failed,      // the library could not allocate or hash
};
const boost::system::error_category& password_category() noexcept;
boost::system::error_code make_error_code(password_errc e) noexcept;

// Checks the policy, then hashes.
boost::system::result<std::string> hash_password(std::string_view password, const password_options& options = {});

// Constant-time verification against a stored PHC string. False for malformed hashes.
bool verify_password(std::string_view stored_hash, std::string_view password) noexcept;

// The work of one verification against a hash made with `options`, for a user that does
// not exist; always false. Answering an unknown user as fast as a wrong password would
// tell an attacker which accounts exist.
bool verify_unknown_user(std::string_view password, const password_options& options = {});

// True when `stored_hash` was made with other parameters than `options` (or is not an
// Argon2id hash): rehash it at the next successful login.
bool needs_rehash(std::string_view stored_hash, const password_options& options = {}) noexcept;

}  // namespace bastion

template <>
struct boost::system::is_error_code_enum<bastion::password_errc> : std::true_type {};
