#include <bastion/routing/route_pattern.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace bastion {
namespace {

using params = std::vector<std::pair<std::string_view, std::string_view>>;
using values = std::vector<std::pair<std::string, std::string>>;

route_pattern must_parse(std::string_view text) {
  std::string why;
  auto p = route_pattern::parse(text, &why);
  if (!p) ADD_FAILURE() << "could not parse " << text << ": " << why;
  return p ? std::move(*p) : route_pattern{};
}

TEST(RoutePattern, ParsesLiteralAndTypedSegments) {
  const auto p = must_parse("/posts/{id:int}/files/{rest:path}");
  EXPECT_EQ(p.text(), "/posts/{id:int}/files/{rest:path}");
  EXPECT_FALSE(p.is_static());
  ASSERT_EQ(p.segments().size(), 4u);
  EXPECT_EQ(p.segments()[0].text, "posts");
  EXPECT_FALSE(p.segments()[0].is_param);
  EXPECT_EQ(p.segments()[1].text, "id");
  EXPECT_TRUE(p.segments()[1].is_param);
  EXPECT_EQ(p.segments()[1].type, param_type::integer);
  EXPECT_EQ(p.segments()[3].type, param_type::path);
}

TEST(RoutePattern, ParameterTypeDefaultsToStr) {
  struct row {
    const char* name;
    std::string_view pattern;
    param_type type;
  };
  const row rows[] = {
      {"NoType", "/users/{name}", param_type::str},
      {"Str", "/users/{name:str}", param_type::str},
      {"StringAlias", "/users/{name:string}", param_type::str},
      {"Int", "/users/{name:int}", param_type::integer},
      {"Path", "/users/{name:path}", param_type::path},
      {"UnderscoreAndDigitsInName", "/users/{user_id2}", param_type::str},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto p = must_parse(r.pattern);
    ASSERT_EQ(p.segments().size(), 2u);
    EXPECT_TRUE(p.segments()[1].is_param);
    EXPECT_EQ(p.segments()[1].type, r.type);
  }
}

TEST(RoutePattern, PatternsWithoutParametersAreStatic) {
  for (std::string_view text : {"/", "/about", "/admin/", "/a/b/c"}) {
    SCOPED_TRACE(std::string(text));
    EXPECT_TRUE(must_parse(text).is_static());
  }
}

TEST(RoutePattern, RejectsBadPatternsAndSaysWhy) {
  struct row {
    const char* name;
    std::string_view pattern;
    std::string_view why;  // expected fragment of the message
  };
  const row rows[] = {
      {"Empty", "", "must start with '/'"},
      {"NoLeadingSlash", "posts", "must start with '/'"},
      {"ParameterWithoutLeadingSlash", "{id}", "must start with '/'"},
      {"UnknownType", "/posts/{id:float}", "unknown parameter type 'float'"},
      {"EmptyType", "/posts/{id:}", "unknown parameter type ''"},
      {"DuplicateParameter", "/a/{id}/b/{id}", "'id' appears twice"},
      {"DuplicateParameterOfOtherType", "/a/{id:int}/b/{id:str}", "'id' appears twice"},
      {"PathNotLast", "/static/{file:path}/raw", "must be the last segment"},
      {"PathBeforeTrailingSlash", "/static/{file:path}/", "must be the last segment"},
      {"UnclosedBrace", "/posts/{id", "whole segment"},
      {"TextAfterBrace", "/posts/{id}x", "whole segment"},
      {"TextBeforeBrace", "/posts/x{id}", "braces are only allowed around a whole segment"},
      {"StrayClosingBrace", "/posts/}", "braces are only allowed around a whole segment"},
      {"EmptyName", "/posts/{}", "'' is not a valid parameter name"},
      {"NameStartsWithDigit", "/posts/{1id}", "'1id' is not a valid parameter name"},
      {"NameWithDash", "/posts/{post-id}", "'post-id' is not a valid parameter name"},
      {"NameWithSpace", "/posts/{post id}", "'post id' is not a valid parameter name"},
      {"TwoParametersInOneSegment", "/posts/{a}{b}", "is not a valid parameter name"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    std::string why;
    const auto p = route_pattern::parse(r.pattern, &why);
    EXPECT_FALSE(p);
    EXPECT_NE(why.find(r.why), std::string::npos) << why;
    EXPECT_NE(why.find(std::string("'") + std::string(r.pattern) + "'"), std::string::npos) << why;
    EXPECT_FALSE(route_pattern::parse(r.pattern));  // works without a message too
  }
}

TEST(RoutePattern, MatchesPathsSegmentBySegment) {
  struct row {
    const char* name;
    std::string_view pattern;
    std::string_view path;
    bool matches;
    params expected;
  };
  const row rows[] = {
      {"RootMatchesRoot", "/", "/", true, {}},
      {"RootDoesNotMatchEmpty", "/", "", false, {}},
      {"RootDoesNotMatchOtherPath", "/", "/about", false, {}},
      {"Static", "/about", "/about", true, {}},
      {"StaticIsCaseSensitive", "/about", "/About", false, {}},
      {"StaticWithoutTrailingSlash", "/about", "/about/", false, {}},
      {"TrailingSlashMatchesTrailingSlash", "/admin/", "/admin/", true, {}},
      {"TrailingSlashIsDistinct", "/admin/", "/admin", false, {}},
      {"NoLeadingSlash", "/about", "about", false, {}},
      {"LongerPath", "/a/b", "/a/b/c", false, {}},
      {"ShorterPath", "/a/b/c", "/a/b", false, {}},
      {"Int", "/posts/{id:int}", "/posts/42", true, {{"id", "42"}}},
      {"IntLeadingZeros", "/posts/{id:int}", "/posts/007", true, {{"id", "007"}}},
      {"IntEighteenDigits", "/posts/{id:int}", "/posts/999999999999999999", true, {{"id", "999999999999999999"}}},
      {"IntNineteenDigits", "/posts/{id:int}", "/posts/1000000000000000000", false, {}},
      {"IntLetters", "/posts/{id:int}", "/posts/abc", false, {}},
      {"IntNegative", "/posts/{id:int}", "/posts/-1", false, {}},
      {"IntPlusSign", "/posts/{id:int}", "/posts/+1", false, {}},
      {"IntWithSuffix", "/posts/{id:int}", "/posts/42abc", false, {}},
      {"IntEmpty", "/posts/{id:int}", "/posts/", false, {}},
      {"IntMissingSegment", "/posts/{id:int}", "/posts", false, {}},
      {"IntTrailingSlash", "/posts/{id:int}", "/posts/42/", false, {}},
      {"IntExtraSegment", "/posts/{id:int}", "/posts/42/edit", false, {}},
      {"StrOneSegment", "/users/{name}", "/users/ada", true, {{"name", "ada"}}},
      {"StrAnyCharacters", "/users/{name}", "/users/a b.c", true, {{"name", "a b.c"}}},
      {"StrNotTwoSegments", "/users/{name}", "/users/a/b", false, {}},
      {"StrNotEmpty", "/users/{name}", "/users/", false, {}},
      {"StrInTheMiddle", "/users/{name}/posts", "/users/ada/posts", true, {{"name", "ada"}}},
      {"StrInTheMiddleNotEmpty", "/users/{name}/posts", "/users//posts", false, {}},
      {"PathOneSegment", "/static/{file:path}", "/static/a.css", true, {{"file", "a.css"}}},
      {"PathManySegments", "/static/{file:path}", "/static/css/site/main.css", true, {{"file", "css/site/main.css"}}},
      {"PathKeepsTrailingSlash", "/static/{file:path}", "/static/css/", true, {{"file", "css/"}}},
      {"PathNotEmpty", "/static/{file:path}", "/static/", false, {}},
      {"PathMissing", "/static/{file:path}", "/static", false, {}},
      {"PathPrefixMustMatch", "/static/{file:path}", "/other/a.css", false, {}},
      {"SeveralParameters", "/a/{x}/b/{y:int}", "/a/foo/b/7", true, {{"x", "foo"}, {"y", "7"}}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto p = must_parse(r.pattern);
    params got;
    EXPECT_EQ(p.match(r.path, got), r.matches);
    EXPECT_EQ(got, r.expected);
  }
}

TEST(RoutePattern, FailedMatchLeavesEarlierParametersAlone) {
  const auto p = must_parse("/a/{x}/b/{y:int}");
  params got{{"before", "1"}};
  EXPECT_FALSE(p.match("/a/foo/b/zz", got));
  EXPECT_EQ(got, (params{{"before", "1"}}));
  EXPECT_TRUE(p.match("/a/foo/b/3", got));
  EXPECT_EQ(got, (params{{"before", "1"}, {"x", "foo"}, {"y", "3"}}));
}

TEST(RoutePattern, BuildsPathsWithEncodedParameters) {
  struct row {
    const char* name;
    std::string_view pattern;
    values params;
    std::string expected;
  };
  const row rows[] = {
      {"Root", "/", {}, "/"},
      {"Static", "/about", {}, "/about"},
      {"StaticTrailingSlash", "/admin/", {}, "/admin/"},
      {"ExtraParametersIgnored", "/about", {{"x", "1"}}, "/about"},
      {"Int", "/posts/{id:int}", {{"id", "42"}}, "/posts/42"},
      {"Str", "/users/{name}", {{"name", "ada"}}, "/users/ada"},
      {"StrSpace", "/users/{name}", {{"name", "a b"}}, "/users/a%20b"},
      {"StrSlash", "/users/{name}", {{"name", "a/b"}}, "/users/a%2Fb"},
      {"StrQuestionMark", "/users/{name}", {{"name", "a?b"}}, "/users/a%3Fb"},
      {"StrHash", "/users/{name}", {{"name", "a#b"}}, "/users/a%23b"},
      {"StrPercent", "/users/{name}", {{"name", "100%"}}, "/users/100%25"},
      {"StrUtf8", "/users/{name}", {{"name", "caf\xC3\xA9"}}, "/users/caf%C3%A9"},
      {"PathKeepsSlashes", "/static/{file:path}", {{"file", "css/site one.css"}}, "/static/css/site%20one.css"},
      {"PathEncodesEachPiece", "/static/{file:path}", {{"file", "a?/b#"}}, "/static/a%3F/b%23"},
      {"SeveralParameters", "/a/{x}/b/{y:int}", {{"y", "7"}, {"x", "foo"}}, "/a/foo/b/7"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto built = must_parse(r.pattern).build(r.params);
    ASSERT_TRUE(built);
    EXPECT_EQ(*built, r.expected);
  }
}

TEST(RoutePattern, BuildRefusesMissingOrIllTypedParameters) {
  struct row {
    const char* name;
    std::string_view pattern;
    values params;
  };
  const row rows[] = {
      {"Missing", "/posts/{id:int}", {}},
      {"OtherNameOnly", "/posts/{id:int}", {{"post_id", "1"}}},
      {"EmptyStr", "/users/{name}", {{"name", ""}}},
      {"EmptyPath", "/static/{file:path}", {{"file", ""}}},
      {"IntLetters", "/posts/{id:int}", {{"id", "abc"}}},
      {"IntNegative", "/posts/{id:int}", {{"id", "-1"}}},
      {"IntNineteenDigits", "/posts/{id:int}", {{"id", "1000000000000000000"}}},
      {"IntWithSpace", "/posts/{id:int}", {{"id", " 1"}}},
      {"OneOfTwoMissing", "/a/{x}/b/{y:int}", {{"x", "foo"}}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_FALSE(must_parse(r.pattern).build(r.params));
  }
}

// A built path goes into links; a client resolves "." and ".." segments before sending
// the request, so "/users/.." would land on "/" instead of the user called "..".
TEST(RoutePattern, BuildKeepsDotSegmentsFromBeingResolvedByClients) {
  struct row {
    const char* name;
    std::string_view pattern;
    values params;
  };
  const row rows[] = {
      {"StrDotDot", "/users/{name}", {{"name", ".."}}},
      {"StrDot", "/users/{name}", {{"name", "."}}},
      {"PathDotDot", "/static/{file:path}", {{"file", "../secret"}}},
      {"PathInnerDotDot", "/static/{file:path}", {{"file", "css/../../admin"}}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto built = must_parse(r.pattern).build(r.params);
    if (!built) continue;  // refusing is fine too
    std::string_view rest = *built;
    while (!rest.empty()) {
      rest.remove_prefix(1);  // the '/'
      const auto seg = rest.substr(0, rest.find('/'));
      EXPECT_NE(seg, std::string_view("..")) << *built;
      EXPECT_NE(seg, std::string_view(".")) << *built;
      rest.remove_prefix(seg.size());
    }
  }
}

TEST(RoutePattern, SameShapeComparesStructureNotParameterNames) {
  struct row {
    const char* name;
    std::string_view a, b;
    bool expected;
  };
  const row rows[] = {
      {"Identical", "/a/b", "/a/b", true},
      {"OtherLiteral", "/a/b", "/a/c", false},
      {"TrailingSlash", "/a", "/a/", false},
      {"OtherParameterName", "/posts/{id:int}", "/posts/{post_id:int}", true},
      {"OtherParameterType", "/posts/{id:int}", "/posts/{id}", false},
      {"LiteralVersusParameter", "/posts/new", "/posts/{id}", false},
      {"PathParameters", "/static/{f:path}", "/static/{g:path}", true},
      {"PathVersusStr", "/static/{f:path}", "/static/{f}", false},
      {"DifferentLength", "/a/{x}", "/a/{x}/b", false},
      {"StrAliases", "/u/{n:str}", "/u/{n:string}", true},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto a = must_parse(r.a), b = must_parse(r.b);
    EXPECT_EQ(a.same_shape(b), r.expected);
    EXPECT_EQ(b.same_shape(a), r.expected);
  }
}

}  // namespace
}  // namespace bastion
