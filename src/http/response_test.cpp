#include <bastion/http/response.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bastion {
namespace {

using header_list = std::vector<std::pair<std::string, std::string>>;

header_list headers_of(const response& res) {
  header_list out;
  res.for_each_header([&](std::string_view n, std::string_view v) { out.emplace_back(n, v); });
  return out;
}

TEST(Response, StartsAsAnEmpty200) {
  response res;
  EXPECT_EQ(res.status(), 200u);
  EXPECT_TRUE(res.body().empty());
  EXPECT_TRUE(headers_of(res).empty());
  EXPECT_FALSE(res.suppress_body);
}

TEST(Response, SetHeaderReplacesEveryValueOfThatName) {
  response res;
  res.add_header("Vary", "Accept");
  res.add_header("vary", "Cookie");
  res.add_header("X-Other", "1");
  res.set_header("VARY", "Origin");
  EXPECT_EQ(headers_of(res), (header_list{{"X-Other", "1"}, {"VARY", "Origin"}}));
  EXPECT_EQ(res.header("Vary"), "Origin");
}

TEST(Response, AddHeaderAppendsASecondSetCookie) {
  response res;
  res.add_header("Set-Cookie", "a=1");
  res.add_header("Set-Cookie", "b=2");
  EXPECT_EQ(headers_of(res), (header_list{{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}));
  EXPECT_EQ(res.header("set-cookie"), "a=1");
}

TEST(Response, SetHeaderIfAbsentKeepsTheHandlersChoice) {
  response res;
  res.set_header("Cache-Control", "no-store");
  EXPECT_FALSE(res.set_header_if_absent("cache-control", "public, max-age=60"));
  EXPECT_EQ(res.header("Cache-Control"), "no-store");
  EXPECT_TRUE(res.set_header_if_absent("X-Frame-Options", "DENY"));
  EXPECT_EQ(res.header("X-Frame-Options"), "DENY");
}

TEST(Response, SetHeaderIfAbsentAddsAfterAnErase) {
  response res;
  res.set_header("Server", "x");
  res.erase_header("server");
  EXPECT_TRUE(res.set_header_if_absent("Server", "y"));
  EXPECT_EQ(res.header("Server"), "y");
}

TEST(Response, EraseHeaderRemovesEveryValueCaseInsensitively) {
  response res;
  res.add_header("Set-Cookie", "a=1");
  res.add_header("Content-Type", "text/plain");
  res.add_header("set-cookie", "b=2");
  res.erase_header("SET-COOKIE");
  EXPECT_FALSE(res.has_header("Set-Cookie"));
  EXPECT_EQ(res.header("Set-Cookie"), "");
  EXPECT_EQ(headers_of(res), (header_list{{"Content-Type", "text/plain"}}));
  res.erase_header("Not-There");
  EXPECT_EQ(headers_of(res).size(), 1u);
}

TEST(Response, LooksUpHeadersCaseInsensitively) {
  response res;
  res.set_header("Content-Type", "text/html");
  struct row {
    const char* name;
    std::string_view header;
    bool present;
  };
  const row rows[] = {
      {"SameCase", "Content-Type", true},
      {"LowerCase", "content-type", true},
      {"UpperCase", "CONTENT-TYPE", true},
      {"Prefix", "Content", false},
      {"Other", "Content-Length", false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(res.has_header(r.header), r.present);
    EXPECT_EQ(res.header(r.header), r.present ? "text/html" : "");
  }
}

TEST(Response, BodyHelpersSetTheContentType) {
  struct row {
    const char* name;
    void (*write)(response&);
    std::string body;
    std::string content_type;
  };
  const row rows[] = {
      {"TextDefault", [](response& r) { r.text("hi"); }, "hi", "text/plain; charset=utf-8"},
      {"TextOwnType", [](response& r) { r.text("a,b", "text/csv"); }, "a,b", "text/csv"},
      {"Html", [](response& r) { r.html("<p>hi</p>"); }, "<p>hi</p>", "text/html; charset=utf-8"},
      {"JsonRaw", [](response& r) { r.json_raw(R"({"a":1})"); }, R"({"a":1})", "application/json"},
      {"Json", [](response& r) { r.json(boost::json::value{{"a", 1}}); }, R"({"a":1})", "application/json"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    response res;
    res.set_header("Content-Type", "application/octet-stream");
    r.write(res);
    EXPECT_EQ(res.body(), r.body);
    EXPECT_EQ(res.header("content-type"), r.content_type);
    EXPECT_EQ(headers_of(res).size(), 1u);  // replaced, not added
  }
}

TEST(Response, ResetClearsStatusHeadersBodyAndSuppression) {
  response res;
  res.status(404);
  res.set_header("X-A", "1");
  res.add_header("Set-Cookie", "a=1");
  res.text("gone");
  res.suppress_body = true;
  res.reset();
  EXPECT_EQ(res.status(), 200u);
  EXPECT_TRUE(headers_of(res).empty());
  EXPECT_FALSE(res.has_header("X-A"));
  EXPECT_TRUE(res.body().empty());
  EXPECT_FALSE(res.suppress_body);
}

TEST(Response, StatusAcceptsNumbersAndEnumerators) {
  response res;
  res.status(boost::beast::http::status::created);
  EXPECT_EQ(res.status(), 201u);
  res.status(418);
  EXPECT_EQ(res.status(), 418u);
}

TEST(Response, IsSafeRedirectTargetAllowsOnlySameSiteRelativePaths) {
  struct row {
    const char* name;
    std::string_view target;
    bool expected;
  };
  const row rows[] = {
      {"Root", "/", true},
      {"PathWithQuery", "/posts/1?x=y", true},
      {"PathWithFragment", "/posts#comments", true},
      {"DoubleSlashLaterInPath", "/a//b", true},
      {"EncodedSlashes", "/%2F%2Fevil.example", true},
      {"Empty", "", false},
      {"ProtocolRelative", "//evil.example", false},
      {"BackslashAfterSlash", "/\\evil.example", false},
      {"AbsoluteHttps", "https://evil.example", false},
      {"AbsoluteHttp", "http://evil.example/", false},
      {"JavascriptUrl", "javascript:alert(1)", false},
      {"DataUrl", "data:text/html,<script>alert(1)</script>", false},
      {"HeaderInjection", "/a\r\nSet-Cookie: x", false},
      {"LineFeedOnly", "/a\nb", false},
      {"TabBeforeSlash", "/\t/evil.example", false},
      {"NulByte", std::string_view("/a\0b", 4), false},
      {"DeleteCharacter", "/a\x7f", false},
      {"LeadingBackslash", "\\evil", false},
      {"BackslashLaterInPath", "/a\\b", false},
      {"RelativeWithoutSlash", "posts/1", false},
      {"QueryOnly", "?next=/admin", false},
      {"LeadingSpace", " /posts", false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(is_safe_redirect_target(r.target), r.expected);
  }
}

TEST(Response, RedirectFollowsSafeTargetsAndFallsBackForOthers) {
  struct row {
    const char* name;
    std::string_view target;
    std::string_view location;
  };
  const row rows[] = {
      {"Root", "/", "/"},
      {"PathWithQuery", "/posts/1?x=y", "/posts/1?x=y"},
      {"ProtocolRelative", "//evil.example", "/"},
      {"BackslashTrick", "/\\evil.example", "/"},
      {"Absolute", "https://evil.example", "/"},
      {"Javascript", "javascript:alert(1)", "/"},
      {"Empty", "", "/"},
      {"HeaderInjection", "/a\r\nSet-Cookie: x", "/"},
      {"LeadingBackslash", "\\evil", "/"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    response res;
    res.text("old body");
    res.redirect(r.target);
    EXPECT_EQ(res.status(), 302u);
    EXPECT_EQ(res.header("Location"), r.location);
    EXPECT_TRUE(res.body().empty());
    EXPECT_FALSE(res.has_header("Set-Cookie"));
  }
}

TEST(Response, RedirectUsesTheGivenStatusAndFallback) {
  response res;
  res.redirect("https://evil.example", 303, "/login");
  EXPECT_EQ(res.status(), 303u);
  EXPECT_EQ(res.header("Location"), "/login");
  res.redirect("/next", 307);
  EXPECT_EQ(res.status(), 307u);
  EXPECT_EQ(res.header("Location"), "/next");
  EXPECT_EQ(headers_of(res).size(), 1u);  // Location replaced, not repeated
}

// A header value built from user input ("attachment; filename=" + name) must not be able
// to end the header line: the writer copies names and values verbatim between ": " and
// CRLF, so a CR or LF that gets through splits the response. Refusing (throwing) or
// dropping the characters are both fine; sending them is not.
TEST(Response, HeaderValuesCannotSplitTheResponse) {
  struct row {
    const char* name;
    void (*write)(response&);
  };
  const row rows[] = {
      {"SetHeaderCrLf", [](response& r) { r.set_header("X-Name", "a\r\nSet-Cookie: evil=1"); }},
      {"AddHeaderLf", [](response& r) { r.add_header("X-Name", "a\nSet-Cookie: evil=1"); }},
      {"SetHeaderIfAbsentCr", [](response& r) { r.set_header_if_absent("X-Name", "a\rb"); }},
      {"CrLfInName", [](response& r) { r.set_header("X-A\r\nSet-Cookie", "evil=1"); }},
      {"TextContentType", [](response& r) { r.text("x", "text/plain\r\nSet-Cookie: evil=1"); }},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    response res;
    try {
      r.write(res);
    } catch (const std::invalid_argument&) {
    }
    for (const auto& [n, v] : headers_of(res)) {
      EXPECT_EQ(n.find_first_of("\r\n"), std::string::npos) << n;
      EXPECT_EQ(v.find_first_of("\r\n"), std::string::npos) << v;
    }
  }
}

TEST(Response, SetCookieAddsOneSetCookieHeaderPerCookie) {
  response res;
  res.set_cookie({.name = "sid", .value = "abc"});
  res.set_cookie({.name = "theme", .value = "dark", .http_only = false});
  EXPECT_EQ(headers_of(res), (header_list{{"Set-Cookie", "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax"},
                                          {"Set-Cookie", "theme=dark; Path=/; Secure; SameSite=Lax"}}));
}

TEST(Response, SetCookieThrowsForAnInvalidCookieAndAddsNothing) {
  struct row {
    const char* name;
    bastion::set_cookie cookie;
  };
  const row rows[] = {
      {"SpaceInName", {.name = "a b", .value = "1"}},
      {"SemicolonInValue", {.name = "a", .value = "1; Domain=evil.example"}},
      {"HostPrefixWithDomain", {.name = "__Host-sid", .value = "1", .domain = "example.com"}},
      {"SameSiteNoneWithoutSecure", {.name = "a", .value = "1", .secure = false, .site = same_site::none}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    response res;
    EXPECT_THROW(res.set_cookie(r.cookie), std::invalid_argument);
    EXPECT_FALSE(res.has_header("Set-Cookie"));
  }
}

}  // namespace
}  // namespace bastion
