#include <bastion/http/cookie.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace bastion {
namespace {

using pairs = std::vector<std::pair<std::string, std::string>>;

pairs parse(std::string_view header, const cookie_limits& limits = {}) {
  cookie_jar jar;
  parse_cookie_header(header, jar, limits);
  return jar.pairs();
}

TEST(CookieHeader, ParsesPairsTheWayBrowsersSendThem) {
  struct row {
    const char* name;
    std::string_view header;
    pairs expected;
  };
  const row rows[] = {
      {"Empty", "", {}},
      {"OnlySemicolons", ";;; ;", {}},
      {"OnePair", "sid=abc", {{"sid", "abc"}}},
      {"SeveralPairs", "a=1; b=2; c=3", {{"a", "1"}, {"b", "2"}, {"c", "3"}}},
      {"NoSpaceAfterSemicolon", "a=1;b=2", {{"a", "1"}, {"b", "2"}}},
      {"SpacesAroundNamesAndValues", "  a = 1 ;\tb=2\t", {{"a", "1"}, {"b", "2"}}},
      {"EmptyValueKept", "a=; b=2", {{"a", ""}, {"b", "2"}}},
      {"QuotedValueUnquoted", "a=\"quoted\"", {{"a", "quoted"}}},
      {"EmptyQuotedValue", "a=\"\"", {{"a", ""}}},
      {"EqualsInsideValueKept", "a=b=c", {{"a", "b=c"}}},
      {"PairWithoutEqualsSkipped", "flag; a=1", {{"a", "1"}}},
      {"EmptyNameSkipped", "=v; a=1", {{"a", "1"}}},
      {"NameWithSpaceSkipped", "bad name=1; ok=2", {{"ok", "2"}}},
      {"NameWithSeparatorSkipped", "a(b)=1; ok=2", {{"ok", "2"}}},
      {"ValueWithSpaceSkipped", "a=x y; ok=2", {{"ok", "2"}}},
      {"ValueWithCommaSkipped", "a=x,y; ok=2", {{"ok", "2"}}},
      {"ValueWithBackslashSkipped", "a=x\\y; ok=2", {{"ok", "2"}}},
      {"LoneQuoteSkipped", "a=\"; ok=2", {{"ok", "2"}}},
      {"ControlCharacterSkipped", "a=x\x01y; ok=2", {{"ok", "2"}}},
      {"PrefixedNamesKept", "__Host-sid=1; __Secure-t=2", {{"__Host-sid", "1"}, {"__Secure-t", "2"}}},
      {"DuplicatesAllKept", "a=1; a=2", {{"a", "1"}, {"a", "2"}}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(parse(r.header), r.expected);
  }
}

TEST(CookieHeader, StopsAtTheLimits) {
  struct row {
    const char* name;
    std::string_view header;
    cookie_limits limits;
    pairs expected;
  };
  const row rows[] = {
      {"DefaultsKeepSixtyFourPairs", "a=1; b=2", {}, {{"a", "1"}, {"b", "2"}}},
      {"MaxCookies", "a=1; b=2; c=3", {.max_cookies = 2}, {{"a", "1"}, {"b", "2"}}},
      {"SkippedPairsDoNotCount", "x; a=1; bad name=2; b=2; c=3", {.max_cookies = 2}, {{"a", "1"}, {"b", "2"}}},
      {"ValueAtTheLimitKept", "a=123", {.max_value_bytes = 3}, {{"a", "123"}}},
      {"LongerValueDropped", "a=1234; b=123", {.max_value_bytes = 3}, {{"b", "123"}}},
      {"LimitAppliesAfterUnquoting", "a=\"123\"", {.max_value_bytes = 3}, {{"a", "123"}}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(parse(r.header, r.limits), r.expected);
  }
}

TEST(CookieHeader, SixtyFiveCookiesKeepTheFirstSixtyFour) {
  std::string header;
  for (int i = 0; i < 65; ++i) header += "c" + std::to_string(i) + "=v; ";
  cookie_jar jar;
  parse_cookie_header(header, jar);
  EXPECT_EQ(jar.size(), 64u);
  EXPECT_TRUE(jar.get("c63"));
  EXPECT_FALSE(jar.get("c64"));
}

TEST(CookieJar, GetReturnsTheFirstValueForADuplicateName) {
  cookie_jar jar;
  parse_cookie_header("sid=first; other=x", jar);
  parse_cookie_header("sid=second", jar);
  ASSERT_TRUE(jar.get("sid"));
  EXPECT_EQ(*jar.get("sid"), "first");
  EXPECT_EQ(jar.size(), 3u);
  EXPECT_FALSE(jar.get("missing"));
  EXPECT_FALSE(jar.get("SID"));  // names are case-sensitive
}

TEST(Cookie, SerializesSecureHttpOnlyLaxByDefault) {
  const set_cookie c{.name = "sid", .value = "abc123"};
  const auto out = serialize(c);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(*out, "sid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax");
}

TEST(Cookie, SerializesEachAttributeAsAsked) {
  struct row {
    const char* name;
    set_cookie cookie;
    std::string expected;
  };
  const row rows[] = {
      {"Strict", {.name = "a", .value = "1", .site = same_site::strict}, "a=1; Path=/; Secure; HttpOnly; SameSite=Strict"},
      {"NoneWithSecure", {.name = "a", .value = "1", .site = same_site::none}, "a=1; Path=/; Secure; HttpOnly; SameSite=None"},
      {"Partitioned", {.name = "a", .value = "1", .site = same_site::none, .partitioned = true},
       "a=1; Path=/; Secure; HttpOnly; SameSite=None; Partitioned"},
      {"Domain", {.name = "a", .value = "1", .domain = "example.com"},
       "a=1; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Lax"},
      {"OtherPath", {.name = "a", .value = "1", .path = "/admin"}, "a=1; Path=/admin; Secure; HttpOnly; SameSite=Lax"},
      {"NoPath", {.name = "a", .value = "1", .path = ""}, "a=1; Secure; HttpOnly; SameSite=Lax"},
      {"ScriptReadableOnPurpose", {.name = "a", .value = "1", .http_only = false}, "a=1; Path=/; Secure; SameSite=Lax"},
      {"PlainHttpDevelopment", {.name = "a", .value = "1", .secure = false}, "a=1; Path=/; HttpOnly; SameSite=Lax"},
      {"EmptyValue", {.name = "a", .value = ""}, "a=; Path=/; Secure; HttpOnly; SameSite=Lax"},
      {"ValueWithCookieOctets", {.name = "a", .value = "x!#$%&'()*+-./:<=>?@[]^_`{|}~"},
       "a=x!#$%&'()*+-./:<=>?@[]^_`{|}~; Path=/; Secure; HttpOnly; SameSite=Lax"},
      {"HostPrefixWithSecureAndRootPath", {.name = "__Host-sid", .value = "1"},
       "__Host-sid=1; Path=/; Secure; HttpOnly; SameSite=Lax"},
      {"SecurePrefixWithPathAndDomain", {.name = "__Secure-t", .value = "1", .path = "/app", .domain = "example.com"},
       "__Secure-t=1; Path=/app; Domain=example.com; Secure; HttpOnly; SameSite=Lax"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto out = serialize(r.cookie);
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(*out, r.expected);
  }
}

TEST(Cookie, SerializesMaxAgeWithAnExpiresDate) {
  const set_cookie c{.name = "a", .value = "1", .max_age = std::chrono::hours(1)};
  const auto out = serialize(c);
  ASSERT_TRUE(out) << out.error().message();
  const std::regex shape(
      "a=1; Path=/; Max-Age=3600; Expires=(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} "
      "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT; "
      "Secure; HttpOnly; SameSite=Lax");
  EXPECT_TRUE(std::regex_match(*out, shape)) << *out;
  EXPECT_EQ(out->find("Expires=Thu, 01 Jan 1970"), std::string::npos) << *out;
}

TEST(Cookie, NegativeMaxAgeIsSentAsZeroWithTheEpoch) {
  const set_cookie c{.name = "a", .value = "1", .max_age = std::chrono::seconds(-5)};
  const auto out = serialize(c);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(*out, "a=1; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax");
}

TEST(Cookie, RefusesCookiesThatBreakTheirOwnRules) {
  struct row {
    const char* name;
    set_cookie cookie;
    cookie_errc expected;
  };
  const row rows[] = {
      {"EmptyName", {.name = "", .value = "1"}, cookie_errc::invalid_name},
      {"SpaceInName", {.name = "a b", .value = "1"}, cookie_errc::invalid_name},
      {"SemicolonInName", {.name = "a;b", .value = "1"}, cookie_errc::invalid_name},
      {"CommaInName", {.name = "a,b", .value = "1"}, cookie_errc::invalid_name},
      {"EqualsInName", {.name = "a=b", .value = "1"}, cookie_errc::invalid_name},
      {"QuoteInName", {.name = "a\"b", .value = "1"}, cookie_errc::invalid_name},
      {"ControlCharacterInName", {.name = "a\x01" "b", .value = "1"}, cookie_errc::invalid_name},
      {"NonAsciiName", {.name = "caf\xC3\xA9", .value = "1"}, cookie_errc::invalid_name},
      {"SpaceInValue", {.name = "a", .value = "x y"}, cookie_errc::invalid_value},
      {"SemicolonInValue", {.name = "a", .value = "x;Domain=evil.example"}, cookie_errc::invalid_value},
      {"CommaInValue", {.name = "a", .value = "x,y"}, cookie_errc::invalid_value},
      {"QuotedValue", {.name = "a", .value = "\"xy\""}, cookie_errc::invalid_value},
      {"BackslashInValue", {.name = "a", .value = "x\\y"}, cookie_errc::invalid_value},
      {"NewlineInValue", {.name = "a", .value = "x\r\nSet-Cookie: y=1"}, cookie_errc::invalid_value},
      {"NulInValue", {.name = "a", .value = std::string("x\0y", 3)}, cookie_errc::invalid_value},
      {"DeleteInValue", {.name = "a", .value = "x\x7f"}, cookie_errc::invalid_value},
      {"NonAsciiValue", {.name = "a", .value = "caf\xC3\xA9"}, cookie_errc::invalid_value},
      {"SemicolonInPath", {.name = "a", .value = "1", .path = "/x; Domain=evil.example"}, cookie_errc::invalid_attribute},
      {"NewlineInDomain", {.name = "a", .value = "1", .domain = "example.com\r\nX: y"}, cookie_errc::invalid_attribute},
      {"HostPrefixWithoutSecure", {.name = "__Host-sid", .value = "1", .secure = false}, cookie_errc::prefix_violation},
      {"HostPrefixWithOtherPath", {.name = "__Host-sid", .value = "1", .path = "/app"}, cookie_errc::prefix_violation},
      {"HostPrefixWithoutPath", {.name = "__Host-sid", .value = "1", .path = ""}, cookie_errc::prefix_violation},
      {"HostPrefixWithDomain", {.name = "__Host-sid", .value = "1", .domain = "example.com"}, cookie_errc::prefix_violation},
      {"SecurePrefixWithoutSecure", {.name = "__Secure-t", .value = "1", .secure = false}, cookie_errc::prefix_violation},
      {"SameSiteNoneWithoutSecure", {.name = "a", .value = "1", .secure = false, .site = same_site::none},
       cookie_errc::none_without_secure},
      {"PartitionedWithoutSecure", {.name = "a", .value = "1", .secure = false, .partitioned = true},
       cookie_errc::none_without_secure},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto out = serialize(r.cookie);
    ASSERT_FALSE(out) << *out;
    EXPECT_EQ(out.error(), make_error_code(r.expected)) << out.error().message();
    EXPECT_FALSE(out.error().message().empty());
  }
}

TEST(Cookie, ExpiredCookieDeletesWithMaxAgeZero) {
  struct row {
    const char* name;
    set_cookie cookie;
    std::string expected;
  };
  const row rows[] = {
      {"Default", expired_cookie("sid"),
       "sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax"},
      {"SamePathAndDomain", expired_cookie("sid", "/app", "example.com"),
       "sid=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; "
       "SameSite=Lax"},
      {"HostPrefixStillValid", expired_cookie("__Host-sid"),
       "__Host-sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    ASSERT_TRUE(r.cookie.max_age);
    EXPECT_EQ(r.cookie.max_age->count(), 0);
    EXPECT_TRUE(r.cookie.value.empty());
    const auto out = serialize(r.cookie);
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(*out, r.expected);
  }
}

}  // namespace
}  // namespace bastion
