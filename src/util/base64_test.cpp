#include <bastion/util/base64.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace bastion {
namespace {

TEST(Base64url, EncodesWithTheUrlAlphabetAndNoPadding) {
  struct row {
    std::string bytes;
    const char* text;
  };
  const row rows[] = {
      {"", ""},
      {"f", "Zg"},
      {"fo", "Zm8"},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg"},
      {std::string("\xfb\xff\xbf", 3), "-_-_"},  // '+' and '/' in standard base64
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    EXPECT_EQ(base64url_encode(r.bytes), r.text);
    EXPECT_EQ(base64url_decode(r.text), r.bytes);
  }
}

TEST(Base64url, RefusesEverythingThatIsNotCanonical) {
  struct row {
    const char* name;
    std::string text;
  };
  const row rows[] = {
      {"Padding", "Zg=="},
      {"StandardAlphabetPlus", "+_-_"},
      {"StandardAlphabetSlash", "-/-_"},
      {"LengthOneModFour", "Zm9vY"},
      {"NonZeroTrailingBits", "Zh"},
      {"NonZeroTrailingBitsAfterTwoBytes", "Zm9"},
      {"Space", "Zm 9v"},
      {"Nul", std::string("Zm\0v", 4)},
      {"HighByte", "Zm\xc3\xa9"},
      {"Dot", "Zm9v.Zg"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(base64url_decode(r.text), std::nullopt);
  }
}

TEST(Base64url, AcceptsATailExactlyWhenItIsWhatEncodingWouldWrite) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int accepted = 0;
  for (char a : alphabet)
    for (char b : alphabet)
      for (std::string tail : {std::string{a, b}, std::string{'Q', a, b}}) {
        const auto bytes = base64url_decode(tail);
        if (!bytes) continue;
        ++accepted;
        EXPECT_EQ(base64url_encode(*bytes), tail);
      }
  EXPECT_EQ(accepted, 64 * 4 + 64 * 16);  // one byte: 4 last characters of 64; two bytes: 16
}

TEST(Base64url, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 7) {
    const auto piece = all.substr(0, n);
    EXPECT_EQ(base64url_decode(base64url_encode(piece)), piece) << n;
  }
}

}  // namespace
}  // namespace bastion
