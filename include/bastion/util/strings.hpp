#pragma once
// Small ASCII string helpers shared by every parser. HTTP tokens are ASCII, so these
// deliberately ignore locales.
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

// Case-insensitive ASCII equality (header names, tokens).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// True when `haystack` contains `needle`, ignoring ASCII case.
bool icontains(std::string_view haystack, std::string_view needle) noexcept;

// Strips spaces and horizontal tabs (HTTP optional whitespace) from both ends.
std::string_view trim_ows(std::string_view s) noexcept;

// The one list-header splitter: splits "a, b ,c" on commas (or `sep`), trims optional
// whitespace and drops empty elements. Views point into `s`.
std::vector<std::string_view> split_list(std::string_view s, char sep = ',');

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(std::string_view s);

// Lower-case copy.
std::string to_lower(std::string_view s);

}  // namespace bastion
