#include <bastion/ratelimit/limit.hpp>

#include <gtest/gtest.h>

namespace bastion {
namespace {

TEST(LimitExpressions, ParseFlaskLimiterNotation) {
  struct row {
    const char* text;
    std::vector<std::pair<std::uint64_t, std::int64_t>> expected;  // amount, seconds
  };
  const row rows[] = {
      {"10/minute", {{10, 60}}},
      {"10 / minute", {{10, 60}}},
      {"10 per minute", {{10, 60}}},
      {"10 PER Minute", {{10, 60}}},
      {"5 per 10 minutes", {{5, 600}}},
      {"1/second", {{1, 1}}},
      {"3/2 hours", {{3, 7200}}},
      {"200 per day;50 per hour", {{200, 86400}, {50, 3600}}},
      {"200 per day; 50 per hour;", {{200, 86400}, {50, 3600}}},
      {"1000 per month, 10000 per year", {{1000, 30 * 86400}, {10000, 365 * 86400}}},
      {"  7 per   seconds  ", {{7, 1}}},
  };
  for (const auto& r : rows) {
    std::string why;
    auto parsed = parse_limits(r.text, &why);
    ASSERT_TRUE(parsed) << r.text << ": " << why;
    ASSERT_EQ(parsed->size(), r.expected.size()) << r.text;
    for (std::size_t i = 0; i < r.expected.size(); ++i) {
      EXPECT_EQ((*parsed)[i].amount, r.expected[i].first) << r.text;
      EXPECT_EQ((*parsed)[i].period.count(), r.expected[i].second) << r.text;
    }
  }
  EXPECT_EQ(parse_limits("5 per 10 minutes")->front().text, "5 per 10 minute");
}

TEST(LimitExpressions, PointAtTheMistake) {
  struct row {
    const char* text;
    const char* says;
  };
  const row rows[] = {
      {"", "empty"},
      {"10 per fortnight", "unknown unit 'fortnight'"},
      {"ten per minute", "'ten' is not a positive whole number"},
      {"0 per minute", "'0' is not a positive"},
      {"-5 per minute", "'-5' is not a positive"},
      {"10 minute", "expected \"N per [M] unit\""},
      {"10 per", "expected \"N per [M] unit\""},
      {"10 per 0 minutes", "'0' is not a positive whole number of periods"},
      {"10 per 2 3 minutes", "one unit"},
      {"10/", "one unit"},
      {"50 per hour;;10 per minute", "empty"},
      {"99999999999999999999 per second", "not a positive whole number"},
  };
  for (const auto& r : rows) {
    std::string why;
    EXPECT_FALSE(parse_limits(r.text, &why)) << r.text;
    EXPECT_NE(why.find(r.says), std::string::npos) << r.text << " -> " << why;
  }
}

}  // namespace
}  // namespace bastion
