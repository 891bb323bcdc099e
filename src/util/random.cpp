#include <bastion/util/random.hpp>

#include <bastion/util/base64.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace bastion {

void random_bytes(std::span<unsigned char> out) {
  if (out.empty()) return;
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    std::fputs("fatal: the system CSPRNG failed\n", stderr);
    std::abort();
  }
}

void random_bytes_pooled(std::span<unsigned char> out) {
  constexpr std::size_t pool_size = 4096;
  thread_local unsigned char pool[pool_size];
  thread_local std::size_t used = pool_size;
  if (out.size() > pool_size / 4) {
    random_bytes(out);
    return;
  }
  if (pool_size - used < out.size()) {
    random_bytes({pool, pool_size});
    used = 0;
  }
  std::memcpy(out.data(), pool + used, out.size());
  OPENSSL_cleanse(pool + used, out.size());  // handed out once, never kept
  used += out.size();
}

std::string random_hex(std::size_t bytes) {
  bytes = std::max<std::size_t>(bytes, 16);
  std::vector<unsigned char> raw(bytes);
  random_bytes(raw);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (auto b : raw) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::string random_token(std::size_t bytes) {
  bytes = std::max<std::size_t>(bytes, 16);
  std::vector<unsigned char> raw(bytes);
  random_bytes(raw);
  return base64url_encode(raw);
}

}  // namespace bastion
