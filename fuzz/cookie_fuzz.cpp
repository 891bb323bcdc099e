// Cookie header parsing and the Set-Cookie serializer.
//
// The whole input is parsed as a Cookie header (default and tiny limits): every kept pair
// must have a token name and a cookie-octet value within the limits, and must come from
// the header (no invented bytes). The same input is then read as a set_cookie (flags byte,
// then length-prefixed name, value, path, domain): whatever serialize() accepts must be a
// single header line whose first pair parses back to exactly that name and value.
#include "fuzz_check.hpp"

#include <bastion/http/cookie.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>


namespace {

bool is_token_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_cookie_octet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
         (c >= 0x5D && c <= 0x7E);
}

void check_jar(std::string_view header, const bastion::cookie_jar& jar, const bastion::cookie_limits& limits) {
  FUZZ_CHECK(jar.size() <= limits.max_cookies);
  for (const auto& [name, value] : jar.pairs()) {
    FUZZ_CHECK(!name.empty());
    for (unsigned char c : name) FUZZ_CHECK(is_token_char(c));
    for (unsigned char c : value) FUZZ_CHECK(is_cookie_octet(c));
    FUZZ_CHECK(value.size() <= limits.max_value_bytes);
    FUZZ_CHECK(header.find(name) != std::string_view::npos);
    FUZZ_CHECK(header.find(value) != std::string_view::npos);
    // get() answers with the first pair of that name, whichever it is.
    FUZZ_CHECK(jar.get(name).has_value());
  }
}

// Consumes a length byte and that many bytes (fewer at the end of the input).
std::string take(std::string_view& in) {
  if (in.empty()) return {};
  const std::size_t n = std::min<std::size_t>(static_cast<unsigned char>(in.front()), in.size() - 1);
  std::string out(in.substr(1, n));
  in.remove_prefix(1 + n);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  for (const bastion::cookie_limits limits : {bastion::cookie_limits{}, bastion::cookie_limits{2, 8}}) {
    bastion::cookie_jar jar;
    bastion::parse_cookie_header(input, jar, limits);
    check_jar(input, jar, limits);
  }

  if (input.empty()) return 0;
  const auto flags = static_cast<unsigned char>(input.front());
  std::string_view rest = input.substr(1);
  bastion::set_cookie c;
  c.name = take(rest);
  c.value = take(rest);
  if (flags & 0x01) c.path = take(rest);
  if (flags & 0x02) c.domain = take(rest);
  if (flags & 0x04) c.max_age = std::chrono::seconds((flags & 0x08) ? 0 : 3600);
  c.secure = !(flags & 0x10);
  c.http_only = !(flags & 0x20);
  c.site = static_cast<bastion::same_site>((flags >> 6) % 3);
  c.partitioned = (flags >> 6) == 3;

  const auto line = bastion::serialize(c);
  if (!line) return 0;
  // A header line: no byte that would end it or smuggle another header.
  for (unsigned char ch : *line) FUZZ_CHECK(ch >= 0x20 && ch != 0x7F);

  // Browsers send back only name=value; the parser must read that pair as written. The
  // parser drops values over max_value_bytes (serialize does not limit them), so the
  // round trip is only promised below that size.
  bastion::cookie_jar back;
  bastion::parse_cookie_header(*line, back);
  if (c.value.size() <= bastion::cookie_limits{}.max_value_bytes) {
    FUZZ_CHECK(back.size() >= 1);
    FUZZ_CHECK(back.pairs().front().first == c.name);
    FUZZ_CHECK(back.pairs().front().second == c.value);
  }
  return 0;
}
