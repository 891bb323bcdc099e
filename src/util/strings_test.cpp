#include <bastion/util/strings.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace bastion {
namespace {

TEST(SplitList, SplitsOnCommasTrimsWhitespaceAndDropsEmptyItems) {
  struct row {
    const char* name;
    std::string_view input;
    char sep;
    std::vector<std::string_view> expected;
  };
  const row rows[] = {
      {"Default", "a, b ,c", ',', {"a", "b", "c"}},
      {"Empty", "", ',', {}},
      {"OnlySeparatorsAndSpaces", " , ,, ", ',', {}},
      {"SingleItem", "gzip", ',', {"gzip"}},
      {"TabsAreOptionalWhitespace", "\ta\t,\tb", ',', {"a", "b"}},
      {"EmptyItemInTheMiddle", "a,,b", ',', {"a", "b"}},
      {"TrailingSeparator", "a,b,", ',', {"a", "b"}},
      {"InnerSpacesKept", "text/html, application/json; q=0.9", ',', {"text/html", "application/json; q=0.9"}},
      {"CustomSeparator", "a=1; b=2", ';', {"a=1", "b=2"}},
      {"CustomSeparatorLeavesCommas", "a,b;c", ';', {"a,b", "c"}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(split_list(r.input, r.sep), r.expected);
  }
}

TEST(SplitList, ReturnsViewsIntoTheInput) {
  const std::string input = "alpha, beta";
  const auto items = split_list(input);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].data(), input.data());
  EXPECT_EQ(items[1].data(), input.data() + 7);
}

TEST(TrimOws, StripsSpacesAndTabsFromBothEndsOnly) {
  struct row {
    const char* name;
    std::string_view input;
    std::string_view expected;
  };
  const row rows[] = {
      {"Untouched", "a", "a"},
      {"Empty", "", ""},
      {"OnlyWhitespace", " \t \t", ""},
      {"Spaces", "  a  ", "a"},
      {"Tabs", "\ta\t", "a"},
      {"InnerWhitespaceKept", " a b\tc ", "a b\tc"},
      {"NewlineIsNotOptionalWhitespace", "\na\n", "\na\n"},
      {"CarriageReturnIsNotOptionalWhitespace", " \ra\r ", "\ra\r"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(trim_ows(r.input), r.expected);
  }
}

TEST(Iequals, ComparesAsciiCaseInsensitively) {
  struct row {
    const char* name;
    std::string_view a, b;
    bool expected;
  };
  const row rows[] = {
      {"Same", "host", "host", true},
      {"BothEmpty", "", "", true},
      {"DifferentCase", "Content-Type", "cONTENT-tYPE", true},
      {"DifferentLetter", "abc", "abd", false},
      {"Prefix", "abc", "ab", false},
      {"OneEmpty", "", "a", false},
      // '@' and '`' differ by 0x20 like 'A' and 'a', but are not letters.
      {"AtSignIsNotBacktick", "@", "`", false},
      {"BracketIsNotBrace", "[", "{", false},
      {"NonAsciiIsNotFolded", "\xC3\x89", "\xC3\xA9", false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(iequals(r.a, r.b), r.expected);
    EXPECT_EQ(iequals(r.b, r.a), r.expected);
  }
}

TEST(Icontains, FindsTheNeedleIgnoringAsciiCase) {
  struct row {
    const char* name;
    std::string_view haystack, needle;
    bool expected;
  };
  const row rows[] = {
      {"EmptyNeedle", "abc", "", true},
      {"BothEmpty", "", "", true},
      {"EmptyHaystack", "", "a", false},
      {"Exact", "application/json", "application/json", true},
      {"DifferentCaseInList", "text/html, Application/JSON;q=0.9", "application/json", true},
      {"AtTheEnd", "xyz", "Z", true},
      {"AtTheStart", "xyz", "X", true},
      {"NeedleLongerThanHaystack", "ab", "abc", false},
      {"Absent", "text/html", "json", false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(icontains(r.haystack, r.needle), r.expected);
  }
}

TEST(HtmlEscape, EscapesTheFiveHtmlSpecialCharacters) {
  struct row {
    const char* name;
    std::string_view input;
    std::string expected;
  };
  const row rows[] = {
      {"Empty", "", ""},
      {"Plain", "plain text 123", "plain text 123"},
      {"Ampersand", "a & b", "a &amp; b"},
      {"LessAndGreater", "<script>", "&lt;script&gt;"},
      {"DoubleQuote", "\"", "&quot;"},
      {"SingleQuote", "'", "&#39;"},
      {"Markup", "<a href=\"x\">Tom & Jerry's</a>", "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"},
      {"AlreadyEscapedIsEscapedAgain", "&amp;", "&amp;amp;"},
      {"Utf8Untouched", "caf\xC3\xA9", "caf\xC3\xA9"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(html_escape(r.input), r.expected);
  }
}

TEST(ToLower, LowersAsciiLettersOnly) {
  EXPECT_EQ(to_lower("Content-Type: TEXT/HTML"), "content-type: text/html");
  EXPECT_EQ(to_lower(""), "");
  EXPECT_EQ(to_lower("@[`{"), "@[`{");
  EXPECT_EQ(to_lower("\xC3\x89"), "\xC3\x89");
}

}  // namespace
}  // namespace bastion
