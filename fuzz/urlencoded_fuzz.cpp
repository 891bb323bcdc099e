// application/x-www-form-urlencoded / query string parsing.
//
// parse_urlencoded must never throw (an escaping exception aborts the fuzzer), must answer
// too_large exactly when the input is over max_bytes, and on success must respect
// max_fields, contain no NUL, and yield one pair per non-empty '&'-separated piece.
// A successful result re-encoded canonically must parse back to the same pairs, and the
// lookup helpers must agree with the pair list.
#include "fuzz_check.hpp"

#include <bastion/http/form.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>


namespace {

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::size_t non_empty_pieces(std::string_view s) {
  std::size_t n = 0;
  while (true) {
    const auto amp = s.find('&');
    if (amp != 0 && !s.empty()) ++n;
    if (amp == std::string_view::npos) return n;
    s.remove_prefix(amp + 1);
  }
}

void check(std::string_view input, const bastion::form_limits& limits) {
  const auto r = bastion::parse_urlencoded(input, limits);
  const bool too_large = input.size() > limits.max_bytes;
  if (!r) {
    FUZZ_CHECK(r.error().category() == bastion::form_category());
    FUZZ_CHECK((r.error() == bastion::form_errc::too_large) == too_large);
    if (r.error() == bastion::form_errc::too_many_fields) FUZZ_CHECK(non_empty_pieces(input) > limits.max_fields);
    return;
  }
  FUZZ_CHECK(!too_large);
  const auto& form = *r;
  FUZZ_CHECK(form.size() <= limits.max_fields);
  FUZZ_CHECK(form.size() == non_empty_pieces(input));

  std::string again;
  for (const auto& [name, value] : form.pairs()) {
    FUZZ_CHECK(name.find('\0') == std::string::npos && value.find('\0') == std::string::npos);
    FUZZ_CHECK(form.contains(name));
    const auto all = form.get_all(name);
    FUZZ_CHECK(!all.empty() && all.front() == form.get(name));
    if (!again.empty()) again += '&';
    again += encode(name) + '=' + encode(value);
  }

  // The canonical encoding is longer, so lift the byte limit for the round trip.
  const auto back = bastion::parse_urlencoded(again, {.max_fields = limits.max_fields, .max_bytes = again.size()});
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(back->pairs() == form.pairs());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check(input, {});
  // Tiny limits, chosen by the first byte, so the limit paths are reached with short inputs.
  if (!input.empty()) {
    const auto b = static_cast<unsigned char>(input.front());
    check(input.substr(1), {.max_fields = b % 8u, .max_bytes = (b >> 3) * 4u});
  }
  return 0;
}
