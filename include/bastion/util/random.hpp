#pragma once
// The one source of randomness for anything security-relevant: OpenSSL's CSPRNG.
// Tokens and ids made here carry at least 128 bits.
#include <cstddef>
#include <span>
#include <string>

namespace bastion {

// Fills `out` from the CSPRNG. Aborts the process if the CSPRNG fails: continuing
// with predictable bytes would be worse than stopping.
void random_bytes(std::span<unsigned char> out);

// The same generator read through a per-thread buffer (4 KiB per OpenSSL call), for
// small values needed on every request (CSP nonces). Not for processes that fork after
// first use: parent and child would share the buffered bytes.
void random_bytes_pooled(std::span<unsigned char> out);

// `bytes` random bytes (at least 16) as lower-case hex.
std::string random_hex(std::size_t bytes = 16);

// `bytes` random bytes (at least 16) as unpadded base64url.
std::string random_token(std::size_t bytes = 32);

}  // namespace bastion
