// Route patterns: parse, match and build.
//
// Input: "<pattern>\n<decoded path>". A pattern that parses must describe itself
// consistently (one segment per '/', static iff parameter-free, unique names, `path`
// last). A path that matches must yield one well-typed value per parameter, and building
// from those values must give back the same path once percent-decoded (match works on
// decoded paths, build encodes), which then matches again with the same values.
// Patterns with a '%' in a literal segment are left out of that property: build copies
// literals verbatim, so their decoding differs from the literal by design.
// Then values taken from the path (split on ',') go through build -> decode -> match,
// which must give them back whenever build accepts them and no `str` value holds '/'.
#include "fuzz_check.hpp"

#include <bastion/routing/route_pattern.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>


namespace {

using bastion::param_type;
using views = std::vector<std::pair<std::string_view, std::string_view>>;
using owned = std::vector<std::pair<std::string, std::string>>;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict percent-decoding of build()'s output (which only has the escapes it wrote).
std::string decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    FUZZ_CHECK(i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0);
    out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
    i += 2;
  }
  return out;
}

const bastion::route_pattern::segment* param_named(const bastion::route_pattern& p, std::string_view name) {
  for (const auto& s : p.segments())
    if (s.is_param && s.text == name) return &s;
  return nullptr;
}

void check_values(const bastion::route_pattern& p, const views& params) {
  const auto count = std::count_if(p.segments().begin(), p.segments().end(), [](auto& s) { return s.is_param; });
  FUZZ_CHECK(params.size() == static_cast<std::size_t>(count));
  for (const auto& [name, value] : params) {
    const auto* s = param_named(p, name);
    FUZZ_CHECK(s != nullptr && !value.empty());
    if (s->type == param_type::integer)
      FUZZ_CHECK(value.size() <= 18 && value.find_first_not_of("0123456789") == std::string_view::npos);
    if (s->type != param_type::path) FUZZ_CHECK(value.find('/') == std::string_view::npos);
  }
}

owned own(const views& v) { return {v.begin(), v.end()}; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nl = input.find('\n');
  const auto pattern_text = input.substr(0, nl);
  const auto path = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

  std::string why;
  const auto parsed = bastion::route_pattern::parse(pattern_text, &why);
  if (!parsed) {
    FUZZ_CHECK(!why.empty());
    return 0;
  }
  const auto& p = *parsed;
  FUZZ_CHECK(p.text() == pattern_text);
  FUZZ_CHECK(p.segments().size() == static_cast<std::size_t>(std::count(pattern_text.begin(), pattern_text.end(), '/')));
  bool literal_pct = false, any_param = false;
  for (std::size_t i = 0; i < p.segments().size(); ++i) {
    const auto& s = p.segments()[i];
    any_param = any_param || s.is_param;
    if (s.is_param) FUZZ_CHECK(param_named(p, s.text) == &s);  // names are unique
    if (s.is_param && s.type == param_type::path) FUZZ_CHECK(i + 1 == p.segments().size());
    if (!s.is_param && s.text.find('%') != std::string::npos) literal_pct = true;
  }
  FUZZ_CHECK(p.is_static() == !any_param);
  const auto reparsed = bastion::route_pattern::parse(p.text());
  FUZZ_CHECK(reparsed && reparsed->same_shape(p) && p.same_shape(*reparsed));

  views params;
  if (p.match(path, params)) {
    check_values(p, params);
    for (const auto& [name, value] : params)  // views into the matched path
      FUZZ_CHECK(value.data() >= path.data() && value.data() + value.size() <= path.data() + path.size());
    const auto built = p.build(own(params));
    FUZZ_CHECK(built.has_value());
    if (!literal_pct) {
      const auto decoded = decode(*built);
      FUZZ_CHECK(decoded == path);
      views again;
      FUZZ_CHECK(p.match(decoded, again));
      FUZZ_CHECK(own(again) == own(params));
    }
  } else {
    FUZZ_CHECK(params.empty());  // a failed match leaves no partial parameters behind
  }

  // Arbitrary values, one per parameter in order.
  owned values;
  std::string_view rest = path;
  bool slash_in_str = false;
  for (const auto& s : p.segments()) {
    if (!s.is_param) continue;
    const auto comma = rest.find(',');
    values.emplace_back(s.text, rest.substr(0, comma));
    if (s.type != param_type::path && values.back().second.find('/') != std::string::npos) slash_in_str = true;
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  const auto built = p.build(values);
  if (!built || literal_pct) return 0;
  FUZZ_CHECK(built->front() == '/');
  if (slash_in_str) return 0;  // "%2F" decodes to a separator: a different path by design
  const auto decoded = decode(*built);
  views again;
  FUZZ_CHECK(p.match(decoded, again));
  FUZZ_CHECK(own(again) == values);
  return 0;
}
