#include <bastion/util/base64.hpp>

#include <openssl/evp.h>

#include <array>

namespace bastion {
namespace {
constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// base64url character -> the standard one EVP_DecodeBlock reads; 0 for anything else.
constexpr auto to_standard = [] {
  std::array<char, 256> t{};
  for (std::size_t i = 0; i < 62; ++i) t[static_cast<unsigned char>(alphabet[i])] = alphabet[i];
  t['-'] = '+';
  t['_'] = '/';
  return t;
}();
}  // namespace

std::string base64url_encode(std::span<const unsigned char> bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  for (auto& c : out) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  const std::size_t pad = (4 - text.size() % 4) % 4;
  std::string in(text.size() + pad, '=');
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = to_standard[static_cast<unsigned char>(text[i])];
    if (c == 0) return std::nullopt;
    in[i] = c;
  }
  std::string out(in.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);  // EVP_DecodeBlock counts the padding as zero bytes
  // Canonical only: the bits of the last character that fall beyond the last byte must be
  // zero, so one byte string has exactly one text.
  if (pad > 0) {
    const auto last = static_cast<unsigned char>(in[in.size() - pad - 1]);
    const auto value = static_cast<unsigned>(std::string_view(alphabet).find(static_cast<char>(last)));
    if ((value & (pad == 2 ? 0x0Fu : 0x03u)) != 0) return std::nullopt;
  }
  return out;
}

}  // namespace bastion
