#include <bastion/ratelimit/limit.hpp>

#include <bastion/util/strings.hpp>

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <optional>

namespace bastion {
namespace {

constexpr std::uint64_t max_amount = 1'000'000'000'000ULL;

struct unit {
  std::string_view name;
  std::int64_t seconds;
};
constexpr unit units[] = {{"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}, {"month", 30 * 86400},
                          {"year", 365 * 86400}};

std::optional<std::int64_t> unit_seconds(std::string_view word) {
  std::string w(word);
  for (auto& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (w.size() > 1 && w.back() == 's') w.pop_back();
  for (const auto& u : units)
    if (w == u.name) return u.seconds;
  return std::nullopt;
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc{} && end == s.data() + s.size();
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const auto start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

}  // namespace

boost::system::result<std::vector<rate_limit>> parse_limits(std::string_view text, std::string* why) {
  auto fail = [&](std::string msg) -> boost::system::result<std::vector<rate_limit>> {
    if (why) *why = std::move(msg);
    return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
  };
  std::vector<rate_limit> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find_first_of(";,", start);
    const auto part = trim_ows(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    start = end == std::string_view::npos ? text.size() + 1 : end + 1;
    if (part.empty()) {
      if (end == std::string_view::npos && !out.empty()) break;  // a trailing ';'
      return fail(fmt::format("'{}': empty limit (write e.g. \"10 per minute\" or \"10/minute\")", text));
    }
    // "10/minute", "10 / minute", "10 per minute", "5 per 10 minutes", "10/2 hours"
    std::string_view amount_text, rest;
    if (const auto slash = part.find('/'); slash != std::string_view::npos) {
      amount_text = trim_ows(part.substr(0, slash));
      rest = part.substr(slash + 1);
    } else {
      auto w = words(part);
      if (w.size() < 3 || !iequals(w[1], "per"))
        return fail(fmt::format("'{}': expected \"N per [M] unit\" or \"N/unit\"", part));
      amount_text = w[0];
      rest = part.substr(static_cast<std::size_t>(w[1].data() + w[1].size() - part.data()));
    }
    std::uint64_t amount = 0;
    if (!parse_number(amount_text, amount) || amount == 0 || amount > max_amount)
      return fail(fmt::format("'{}': '{}' is not a positive whole number of requests", part, amount_text));
    auto w = words(rest);
    std::uint64_t multiplier = 1;
    if (w.size() == 2) {
      if (!parse_number(w[0], multiplier) || multiplier == 0 || multiplier > 100000)
        return fail(fmt::format("'{}': '{}' is not a positive whole number of periods", part, w[0]));
      w.erase(w.begin());
    }
    if (w.size() != 1) return fail(fmt::format("'{}': expected one unit after the amount", part));
    const auto seconds = unit_seconds(w[0]);
    if (!seconds)
      return fail(fmt::format("'{}': unknown unit '{}' (second, minute, hour, day, month, year)", part, w[0]));
    rate_limit l;
    l.amount = amount;
    l.period = std::chrono::seconds(*seconds * static_cast<std::int64_t>(multiplier));
    std::string unit_name;
    for (const auto& u : units)
      if (u.seconds == *seconds) unit_name = u.name;
    l.text = fmt::format("{} per {} {}", amount, multiplier, unit_name);
    out.push_back(std::move(l));
  }
  if (out.empty()) return fail("empty limit (write e.g. \"10 per minute\")");
  return out;
}

}  // namespace bastion
