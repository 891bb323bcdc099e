#include <bastion/http/form.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace bastion {
namespace {

using pairs = std::vector<std::pair<std::string, std::string>>;

TEST(UrlencodedForm, DecodesPairsInOrder) {
  struct row {
    const char* name;
    std::string_view encoded;
    pairs expected;
  };
  const row rows[] = {
      {"Empty", "", {}},
      {"OnePair", "a=1", {{"a", "1"}}},
      {"TwoPairs", "a=1&b=2", {{"a", "1"}, {"b", "2"}}},
      {"PlusIsSpace", "q=two+words", {{"q", "two words"}}},
      {"PlusInNameIsSpace", "first+name=Ada", {{"first name", "Ada"}}},
      {"EncodedPlusIsPlus", "q=a%2Bb", {{"q", "a+b"}}},
      {"EncodedSpace", "q=a%20b", {{"q", "a b"}}},
      {"EncodedAmpersandAndEquals", "q=a%26b%3Dc", {{"q", "a&b=c"}}},
      {"LowerCaseHex", "q=%c3%a9", {{"q", "\xC3\xA9"}}},
      {"Utf8Value", "name=%C3%A9t%C3%A9", {{"name", "\xC3\xA9t\xC3\xA9"}}},
      {"Utf8Name", "%E2%9C%93=ok", {{"\xE2\x9C\x93", "ok"}}},
      {"EmptyPairsSkipped", "&a=1&&b=2&", {{"a", "1"}, {"b", "2"}}},
      {"NameWithoutEquals", "flag", {{"flag", ""}}},
      {"NameWithoutEqualsAmongOthers", "a=1&flag&b=2", {{"a", "1"}, {"flag", ""}, {"b", "2"}}},
      {"EmptyValue", "a=", {{"a", ""}}},
      {"EqualsInsideValue", "a=1=2", {{"a", "1=2"}}},
      {"RepeatedNamesKept", "tag=x&tag=y", {{"tag", "x"}, {"tag", "y"}}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto out = parse_urlencoded(r.encoded);
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(out->pairs(), r.expected);
    EXPECT_EQ(out->size(), r.expected.size());
  }
}

TEST(UrlencodedForm, GetReturnsTheFirstValueAndGetAllEveryValue) {
  const auto out = parse_urlencoded("tag=a&other=1&tag=b&tag=c");
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->get("tag"), "a");
  EXPECT_EQ(out->get_all("tag"), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_TRUE(out->contains("tag"));
  EXPECT_EQ(out->get("other"), "1");
  EXPECT_EQ(out->get("missing"), "");
  EXPECT_FALSE(out->contains("missing"));
  EXPECT_TRUE(out->get_all("missing").empty());
  EXPECT_FALSE(out->contains("TAG"));  // names are case-sensitive
}

TEST(UrlencodedForm, ContainsTellsAnEmptyValueFromAMissingName) {
  const auto out = parse_urlencoded("flag&empty=");
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_TRUE(out->contains("flag"));
  EXPECT_TRUE(out->contains("empty"));
  EXPECT_EQ(out->get("flag"), "");
}

TEST(UrlencodedForm, RefusesBadInput) {
  struct row {
    const char* name;
    std::string_view encoded;
    form_limits limits;
    form_errc expected;
  };
  const row rows[] = {
      {"NonHexEscape", "a=%zz", {}, form_errc::malformed},
      {"NonHexEscapeInName", "%zz=1", {}, form_errc::malformed},
      {"TruncatedEscape", "a=%4", {}, form_errc::malformed},
      {"LonePercent", "a=%", {}, form_errc::malformed},
      {"BadEscapeAfterGoodPairs", "a=1&b=2&c=%g0", {}, form_errc::malformed},
      {"EncodedNulInValue", "a=%00", {}, form_errc::malformed},
      {"EncodedNulInsideValue", "a=x%00y", {}, form_errc::malformed},
      {"EncodedNulInName", "%00=1", {}, form_errc::malformed},
      {"TooManyFields", "a=1&b=2&c=3", {.max_fields = 2}, form_errc::too_many_fields},
      {"TooManyNamesWithoutValues", "a&b&c", {.max_fields = 2}, form_errc::too_many_fields},
      {"TooLarge", "a=1234", {.max_bytes = 5}, form_errc::too_large},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto out = parse_urlencoded(r.encoded, r.limits);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error(), make_error_code(r.expected)) << out.error().message();
  }
}

TEST(UrlencodedForm, AcceptsInputExactlyAtTheLimits) {
  struct row {
    const char* name;
    std::string_view encoded;
    form_limits limits;
    std::size_t fields;
  };
  const row rows[] = {
      {"FieldsAtTheLimit", "a=1&b=2", {.max_fields = 2}, 2},
      {"EmptyPairsDoNotCount", "a=1&&b=2&", {.max_fields = 2}, 2},
      {"BytesAtTheLimit", "a=123", {.max_bytes = 5}, 1},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto out = parse_urlencoded(r.encoded, r.limits);
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(out->size(), r.fields);
  }
}

TEST(UrlencodedForm, DefaultLimitIsOneThousandFields) {
  std::string encoded;
  for (int i = 0; i < 1000; ++i) encoded += "f" + std::to_string(i) + "=v&";
  EXPECT_TRUE(parse_urlencoded(encoded));
  encoded += "one=more";
  const auto out = parse_urlencoded(encoded);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error(), make_error_code(form_errc::too_many_fields));
}

TEST(UrlencodedForm, ErrorsHaveTheirOwnCategoryAndMessages) {
  for (auto e : {form_errc::malformed, form_errc::too_many_fields, form_errc::too_large, form_errc::wrong_content_type}) {
    const auto ec = make_error_code(e);
    SCOPED_TRACE(ec.message());
    EXPECT_EQ(&ec.category(), &form_category());
    EXPECT_NE(ec.message(), "unknown form error");
  }
}

}  // namespace
}  // namespace bastion
