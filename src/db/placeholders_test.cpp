#include "db/placeholders.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace bastion::db::detail {
namespace {

struct numbering_case {
  const char* name;
  std::string sql;
  std::string numbered;
  std::size_t count;
};

// Keeps test names readable (and stable) in ctest's listing.
void PrintTo(const numbering_case& c, std::ostream* os) { *os << c.name; }

class PlaceholderNumbering : public ::testing::TestWithParam<numbering_case> {};

TEST_P(PlaceholderNumbering, RewritesOnlyRealPlaceholders) {
  const auto& c = GetParam();
  const auto out = number_placeholders(c.sql);
  EXPECT_EQ(out.text, c.numbered);
  EXPECT_EQ(out.placeholders, c.count);
  EXPECT_EQ(count_placeholders(c.sql), c.count);
}

INSTANTIATE_TEST_SUITE_P(
    Placeholders, PlaceholderNumbering,
    ::testing::Values(
        numbering_case{"NoPlaceholders", "SELECT 1", "SELECT 1", 0},
        numbering_case{"Simple", "SELECT * FROM t WHERE a = ? AND b = ?",
                       "SELECT * FROM t WHERE a = $1 AND b = $2", 2},
        numbering_case{"Adjacent", "VALUES (?,?,?)", "VALUES ($1,$2,$3)", 3},
        numbering_case{"TenOrMore", "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)", 11},
        numbering_case{"StringLiteral", "SELECT '?', ?", "SELECT '?', $1", 1},
        numbering_case{"DoubledQuoteInsideLiteral", "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1",
                       1},
        numbering_case{"EscapeStringWithBackslashQuote", "SELECT E'\\' ?', ?",
                       "SELECT E'\\' ?', $1", 1},
        numbering_case{"BackslashInStandardString", "SELECT '\\', ?", "SELECT '\\', $1", 1},
        numbering_case{"QuotedIdentifier", "SELECT \"a?\" FROM t WHERE x = ?",
                       "SELECT \"a?\" FROM t WHERE x = $1", 1},
        numbering_case{"DoubledQuoteInsideIdentifier", "SELECT \"a\"\"?\", ?",
                       "SELECT \"a\"\"?\", $1", 1},
        numbering_case{"LineComment", "SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2},
        numbering_case{"LineCommentAtEnd", "SELECT ? -- why?", "SELECT $1 -- why?", 1},
        numbering_case{"BlockComment", "SELECT /* ? */ ?", "SELECT /* ? */ $1", 1},
        numbering_case{"NestedBlockComment", "SELECT /* a /* ? */ ? */ ?",
                       "SELECT /* a /* ? */ ? */ $1", 1},
        numbering_case{"DollarQuoted", "SELECT $$ ? $$, ?", "SELECT $$ ? $$, $1", 1},
        numbering_case{"TaggedDollarQuoted", "SELECT $fn$ $$ ? $fn$, ?",
                       "SELECT $fn$ $$ ? $fn$, $1", 1},
        numbering_case{"DollarInIdentifierIsNotAQuote", "SELECT a$b, ?, c$", "SELECT a$b, $1, c$",
                       1},
        numbering_case{"UnterminatedLiteral", "SELECT ?, 'oops ?", "SELECT $1, 'oops ?", 1},
        numbering_case{"UnterminatedComment", "SELECT ? /* ?", "SELECT $1 /* ?", 1},
        numbering_case{"Utf8Text", "SELECT 'ü?', ? AS \"日本?\"", "SELECT 'ü?', $1 AS \"日本?\"",
                       1},
        numbering_case{"Empty", "", "", 0}),
    [](const auto& info) { return info.param.name; });

TEST(Placeholders, SkipsQuestionMarksInsideStringLiterals) {
  EXPECT_EQ(count_placeholders("INSERT INTO t VALUES ('what?', ?)"), 1u);
}

TEST(Placeholders, SkipsQuestionMarksInsideQuotedIdentifiers) {
  EXPECT_EQ(count_placeholders("SELECT \"is it?\" FROM t"), 0u);
}

TEST(Placeholders, SkipsQuestionMarksInsideComments) {
  EXPECT_EQ(count_placeholders("-- ?\nSELECT /* ? */ 1"), 0u);
}

TEST(Placeholders, LeavesExistingDollarParametersAlone) {
  EXPECT_EQ(number_placeholders("SELECT $1").text, "SELECT $1");
}

}  // namespace
}  // namespace bastion::db::detail
