#pragma once
// Secret keys as a key ring. The current SECRET_KEY signs; SECRET_KEY_FALLBACKS only
// verify, so a key can be rotated without logging everybody out: put the old key in the
// fallbacks, a new one in SECRET_KEY, and drop the old one once its artifacts expired.
//
// Each purpose ("session", "csrf", "remember", "token", ...) gets its own key, derived from
// the secret with HKDF-SHA256, so a key leaked from one purpose forges nothing else. Every
// signature names the secret that made it with a key id (8 hex digits from a one-way
// derivation; it reveals nothing of the key), so verification computes one MAC, not one
// per fallback. MACs are HMAC-SHA256 compared in constant time.
//
//   auto s = ring.signer("csrf");
//   auto v = s.sign_timed("payload", now);              // "payload.1733150000.3fa2c1d9.<mac>"
//   auto p = s.unsign_timed(v, std::chrono::hours(1), now);   // "payload", or nullopt
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

class config;

inline constexpr std::size_t mac_size = 32;
using mac_bytes = std::array<unsigned char, mac_size>;

namespace detail {
struct purpose_key;
}

// HMAC-SHA256 with the keys of one purpose: the current one first, then the fallbacks'.
// Cheap to copy; safe to use from many threads at once.
class signer {
 public:
  // The current key's id.
  std::string_view key_id() const noexcept;

  // The MAC of `data` under the current key.
  mac_bytes mac(std::string_view data) const noexcept;
  // The MAC of `data` split in parts (hashed back to back), under the current key.
  mac_bytes mac(std::initializer_list<std::string_view> parts) const noexcept;
  // True when `tag` is the MAC of `parts` under the key named `key_id` (constant time).
  bool verify(std::string_view key_id, std::initializer_list<std::string_view> parts,
              std::span<const unsigned char> tag) const noexcept;

  // "<data>.<key id>.<mac>", mac in base64url.
  std::string sign(std::string_view data) const;
  // The data when `value` is signed by a key of the ring, else nullopt.
  std::optional<std::string_view> unsign(std::string_view value) const;

  // "<data>.<seconds>.<key id>.<mac>": signed with the time it was made.
  std::string sign_timed(std::string_view data, std::int64_t now_seconds) const;
  // The data when `value` is signed by a key of the ring, not older than `max_age` and not
  // from the future (a minute's allowance for clocks), else nullopt.
  std::optional<std::string_view> unsign_timed(std::string_view value, std::chrono::seconds max_age,
                                               std::int64_t now_seconds) const;

 private:
  friend class key_ring;
  explicit signer(std::shared_ptr<const std::vector<detail::purpose_key>> keys) : keys_(std::move(keys)) {}
  const detail::purpose_key* find(std::string_view key_id) const noexcept;
  std::shared_ptr<const std::vector<detail::purpose_key>> keys_;
};

class key_ring {
 public:
  // `current` signs; `fallbacks` verify. Throws std::invalid_argument for an empty key.
  key_ring(std::string_view current, std::span<const std::string> fallbacks = {});
  // SECRET_KEY (or SECRET_KEY_FILE, or the development key) and SECRET_KEY_FALLBACKS.
  static key_ring from(const config& cfg);

  // The keys of `purpose`, derived on each call: keep the signer.
  bastion::signer signer(std::string_view purpose) const;
  std::size_t size() const noexcept { return secrets_.size(); }
  // The id of the current secret (as it appears in signatures).
  std::string key_id() const;

 private:
  std::vector<std::string> secrets_;  // current first
};

// Seconds since the Unix epoch, as signatures count them.
std::int64_t unix_now() noexcept;

}  // namespace bastion
