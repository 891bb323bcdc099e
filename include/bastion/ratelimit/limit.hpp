#pragma once
// Rate-limit expressions in Flask-Limiter's notation:
//   "10/minute", "10 per minute", "5 per 10 minutes", "200 per day;50 per hour"
// with second, minute, hour, day, month (30 days), year (365 days), singular or plural.
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

struct rate_limit {
  std::uint64_t amount = 0;           // requests (or cost units) allowed per period
  std::chrono::seconds period{0};     // the window
  std::string text;                   // normalised: "10 per 1 minute"

  bool operator==(const rate_limit&) const = default;
};

// Parses one or more limits separated by ';' (or ','). On failure `why` says which part
// is wrong and how ("'10 per fortnight': unknown unit 'fortnight' (second, minute, hour,
// day, month, year)").
boost::system::result<std::vector<rate_limit>> parse_limits(std::string_view text, std::string* why = nullptr);

}  // namespace bastion
