#include <bastion/util/random.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
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
  std::string out(4 * ((bytes + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), raw.data(),
                                static_cast<int>(bytes));
  out.resize(static_cast<std::size_t>(n));
  for (auto& c : out) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

}  // namespace bastion
