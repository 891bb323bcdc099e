#include <bastion/util/random.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string>

namespace bastion {
namespace {

bool only_chars_from(const std::string& s, std::string_view alphabet) {
  return std::all_of(s.begin(), s.end(), [&](char c) { return alphabet.find(c) != std::string_view::npos; });
}

constexpr std::string_view hex_digits = "0123456789abcdef";
constexpr std::string_view base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

TEST(RandomHex, GivesTwoLowerCaseHexDigitsPerByteWithAtLeastSixteenBytes) {
  struct row {
    const char* name;
    std::optional<std::size_t> bytes;  // nullopt: the default argument
    std::size_t expected_length;
  };
  const row rows[] = {
      {"Default", std::nullopt, 32},
      {"Sixteen", 16, 32},
      {"ThirtyTwo", 32, 64},
      {"BelowMinimumIsRaisedToSixteen", 4, 32},
      {"ZeroIsRaisedToSixteen", 0, 32},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto s = r.bytes ? random_hex(*r.bytes) : random_hex();
    EXPECT_EQ(s.size(), r.expected_length);
    EXPECT_TRUE(only_chars_from(s, hex_digits)) << s;
  }
}

TEST(RandomHex, ThousandValuesAreDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random_hex());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomToken, IsUnpaddedBase64UrlWithAtLeastSixteenBytes) {
  struct row {
    const char* name;
    std::optional<std::size_t> bytes;  // nullopt: the default argument (32 bytes)
    std::size_t expected_length;
  };
  const row rows[] = {
      {"Default", std::nullopt, 43},
      {"Sixteen", 16, 22},
      {"ThirtyThree", 33, 44},
      {"BelowMinimumIsRaisedToSixteen", 1, 22},
      {"ZeroIsRaisedToSixteen", 0, 22},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto s = r.bytes ? random_token(*r.bytes) : random_token();
    EXPECT_EQ(s.size(), r.expected_length);
    EXPECT_TRUE(only_chars_from(s, base64url)) << s;
    EXPECT_EQ(s.find('='), std::string::npos) << s;
  }
}

TEST(RandomToken, ThousandValuesAreDistinctAndUseTheUrlSafeCharacters) {
  std::set<std::string> seen;
  bool dash = false, underscore = false;
  for (int i = 0; i < 1000; ++i) {
    auto t = random_token();
    ASSERT_TRUE(only_chars_from(t, base64url)) << t;
    dash = dash || t.find('-') != std::string::npos;
    underscore = underscore || t.find('_') != std::string::npos;
    seen.insert(std::move(t));
  }
  EXPECT_EQ(seen.size(), 1000u);
  // 43,000 characters without a '-' or '_' would mean '+' and '/' were never mapped.
  EXPECT_TRUE(dash);
  EXPECT_TRUE(underscore);
}

TEST(RandomBytes, FillsTheWholeBuffer) {
  std::array<unsigned char, 64> a{}, b{};
  random_bytes(a);
  random_bytes(b);
  EXPECT_NE(a, b);
  // The last bytes are written too (all 16 zero by chance: 2^-128).
  EXPECT_FALSE(std::all_of(a.end() - 16, a.end(), [](unsigned char c) { return c == 0; }));
}

}  // namespace
}  // namespace bastion
