#include <bastion/util/digest.hpp>

#include <openssl/evp.h>

#include <new>

namespace bastion {

std::string sha256_hex(std::string_view data) {
  // Fetched once: an implicit fetch per call costs more than hashing a session id.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[32];
  unsigned int size = 0;
  if (!sha256 || EVP_Digest(data.data(), data.size(), digest, &size, sha256, nullptr) != 1 || size != sizeof digest)
    throw std::bad_alloc();  // OpenSSL fails here only when it cannot allocate
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(2 * sizeof digest, '\0');
  for (std::size_t i = 0; i < sizeof digest; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  return out;
}

}  // namespace bastion
