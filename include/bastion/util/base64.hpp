#pragma once
// Unpadded base64url (RFC 4648 section 5), the alphabet of every token Bastion hands out:
// safe in cookies, headers, form fields and URLs without further escaping.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bastion {

std::string base64url_encode(std::span<const unsigned char> bytes);
inline std::string base64url_encode(std::string_view bytes) {
  return base64url_encode({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});
}

// The bytes, or nullopt for anything that is not canonical unpadded base64url (padding,
// characters outside the alphabet, a length of 1 mod 4, non-zero trailing bits).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace bastion
