#include <bastion/auth/key_ring.hpp>

#include <bastion/config/config.hpp>
#include <bastion/util/base64.hpp>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <sodium.h>

#include <array>
#include <atomic>
#include <charconv>
#include <memory>
#include <stdexcept>

namespace bastion {
namespace detail {

struct mac_ctx_free {
  void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};
using mac_ctx = std::unique_ptr<EVP_MAC_CTX, mac_ctx_free>;

struct purpose_key {
  std::string id;           // 8 hex digits
  std::uint64_t serial{};   // unique per derived key, for the per-thread contexts below
  mac_ctx keyed;            // HMAC-SHA256 initialised with the key: copied, never used itself
};

}  // namespace detail

namespace {

constexpr std::int64_t clock_allowance_s = 60;

// HKDF-SHA256(secret, info) -> out. The secret is high-entropy by policy (32+ bytes in
// production), so no salt is needed to extract; the info string separates purposes.
void hkdf(std::string_view secret, std::string_view info, std::span<unsigned char> out) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;
  EVP_KDF_free(kdf);
  if (!ctx) throw std::runtime_error("HKDF is not available");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
      OSSL_PARAM_construct_end()};
  const int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) throw std::runtime_error("HKDF failed");
}

std::string key_id_of(std::string_view secret) {
  unsigned char raw[4];
  hkdf(secret, "bastion/key-id", raw);
  static constexpr char digits[] = "0123456789abcdef";
  std::string id;
  for (auto b : raw) {
    id += digits[b >> 4];
    id += digits[b & 15];
  }
  return id;
}

detail::purpose_key derive(std::string_view secret, std::string_view purpose) {
  detail::purpose_key k;
  static std::atomic<std::uint64_t> serials{0};
  k.id = key_id_of(secret);
  k.serial = ++serials;
  unsigned char key[32];
  hkdf(secret, std::string("bastion/purpose/").append(purpose), key);
  // OpenSSL's SHA-256 uses the CPU's SHA extensions where present: several times faster
  // than a portable one, and a MAC is computed on every request that carries a session.
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  k.keyed.reset(hmac ? EVP_MAC_CTX_new(hmac) : nullptr);
  EVP_MAC_free(hmac);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  const bool ok = k.keyed && EVP_MAC_init(k.keyed.get(), key, sizeof key, params) == 1;
  OPENSSL_cleanse(key, sizeof key);
  if (!ok) throw std::runtime_error("HMAC-SHA256 is not available");
  return k;
}

// A thread's copy of a key's HMAC context. Re-initialising a context keeps its key and
// costs far less than copying one, so each thread keeps copies of the last few keys it used.
EVP_MAC_CTX* thread_context(const detail::purpose_key& k) noexcept {
  struct slot {
    std::uint64_t serial = 0;
    detail::mac_ctx ctx;
  };
  thread_local std::array<slot, 8> slots;
  thread_local std::size_t next = 0;
  for (auto& s : slots)
    if (s.serial == k.serial) return EVP_MAC_init(s.ctx.get(), nullptr, 0, nullptr) == 1 ? s.ctx.get() : nullptr;
  auto& s = slots[next++ % slots.size()];
  s.ctx.reset(EVP_MAC_CTX_dup(k.keyed.get()));
  s.serial = s.ctx ? k.serial : 0;
  return s.ctx.get();
}

void mac_into(const detail::purpose_key& k, std::initializer_list<std::string_view> parts, unsigned char* out) noexcept {
  EVP_MAC_CTX* st = thread_context(k);
  bool ok = st != nullptr;
  for (auto p : parts) {
    // Each part is length-prefixed so ("ab", "c") and ("a", "bc") never share a MAC.
    unsigned char len[8];
    auto n = static_cast<std::uint64_t>(p.size());
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
    ok = ok && EVP_MAC_update(st, len, sizeof len) == 1 &&
         EVP_MAC_update(st, reinterpret_cast<const unsigned char*>(p.data()), p.size()) == 1;
  }
  std::size_t written = 0;
  ok = ok && EVP_MAC_final(st, out, &written, mac_size) == 1 && written == mac_size;
  // Out of memory is the only way here: a random tag verifies nothing and signs nothing usable.
  if (!ok) randombytes_buf(out, mac_size);
}

// Splits "<rest>.<kid>.<mac>" from the right.
struct signed_parts {
  std::string_view rest, kid, tag;
};
std::optional<signed_parts> split_signed(std::string_view v) {
  const auto m = v.rfind('.');
  if (m == std::string_view::npos || m == 0) return std::nullopt;
  const auto k = v.rfind('.', m - 1);
  if (k == std::string_view::npos) return std::nullopt;
  return signed_parts{v.substr(0, k), v.substr(k + 1, m - k - 1), v.substr(m + 1)};
}

}  // namespace

std::int64_t unix_now() noexcept {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// ---- signer ----------------------------------------------------------------------

std::string_view signer::key_id() const noexcept { return keys_->front().id; }

const detail::purpose_key* signer::find(std::string_view key_id) const noexcept {
  for (const auto& k : *keys_)
    if (k.id == key_id) return &k;
  return nullptr;
}

mac_bytes signer::mac(std::string_view data) const noexcept { return mac({data}); }

mac_bytes signer::mac(std::initializer_list<std::string_view> parts) const noexcept {
  mac_bytes out;
  mac_into(keys_->front(), parts, out.data());
  return out;
}

bool signer::verify(std::string_view key_id, std::initializer_list<std::string_view> parts,
                    std::span<const unsigned char> tag) const noexcept {
  if (tag.size() != mac_size) return false;
  bool ok = false;
  // Two secrets may share an id (one chance in 2^32): try every key that carries it.
  for (const auto& k : *keys_) {
    if (k.id != key_id) continue;
    unsigned char expected[mac_size];
    mac_into(k, parts, expected);
    ok = ok || crypto_verify_32(expected, tag.data()) == 0;
  }
  return ok;
}

std::string signer::sign(std::string_view data) const {
  const auto tag = mac({data});
  std::string out(data);
  out.append(".").append(key_id()).append(".").append(base64url_encode(tag));
  return out;
}

std::optional<std::string_view> signer::unsign(std::string_view value) const {
  const auto parts = split_signed(value);
  if (!parts) return std::nullopt;
  const auto tag = base64url_decode(parts->tag);
  if (!tag || !verify(parts->kid, {parts->rest}, {reinterpret_cast<const unsigned char*>(tag->data()), tag->size()}))
    return std::nullopt;
  return parts->rest;
}

std::string signer::sign_timed(std::string_view data, std::int64_t now_seconds) const {
  std::string stamped(data);
  stamped.append(".").append(std::to_string(now_seconds));
  return sign(stamped);
}

std::optional<std::string_view> signer::unsign_timed(std::string_view value, std::chrono::seconds max_age,
                                                     std::int64_t now_seconds) const {
  const auto stamped = unsign(value);
  if (!stamped) return std::nullopt;
  const auto dot = stamped->rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto digits = stamped->substr(dot + 1);
  std::int64_t made = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), made);
  if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
  if (made > now_seconds + clock_allowance_s || now_seconds - made > max_age.count()) return std::nullopt;
  return stamped->substr(0, dot);
}

// ---- key ring --------------------------------------------------------------------

key_ring::key_ring(std::string_view current, std::span<const std::string> fallbacks) {
  if (current.empty()) throw std::invalid_argument("the secret key is empty");
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  secrets_.emplace_back(current);
  for (const auto& f : fallbacks) {
    if (f.empty()) throw std::invalid_argument("a fallback secret key is empty");
    secrets_.push_back(f);
  }
}

key_ring key_ring::from(const config& cfg) {
  const auto fallbacks = cfg.get_list("SECRET_KEY_FALLBACKS");
  return key_ring(cfg.secret_key(), fallbacks);
}

signer key_ring::signer(std::string_view purpose) const {
  auto keys = std::make_shared<std::vector<detail::purpose_key>>();
  for (const auto& s : secrets_) keys->push_back(derive(s, purpose));
  return bastion::signer(std::move(keys));
}

std::string key_ring::key_id() const { return key_id_of(secrets_.front()); }

}  // namespace bastion
