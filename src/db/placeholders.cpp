#include "db/placeholders.hpp"

namespace bastion::db::detail {
namespace {

bool is_identifier_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

bool is_tag_start(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}

// Index just past the quoted section that opens at `i` with `quote`; a doubled quote is an
// escaped quote. With `backslash_escapes` (E'...' strings) a backslash escapes the next char.
std::size_t skip_quoted(std::string_view sql, std::size_t i, char quote, bool backslash_escapes) {
  for (++i; i < sql.size(); ++i) {
    if (backslash_escapes && sql[i] == '\\') {
      ++i;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return sql.size();
}

std::size_t skip_block_comment(std::string_view sql, std::size_t i) {
  // PostgreSQL nests block comments, so track the depth.
  std::size_t depth = 0;
  while (i + 1 < sql.size()) {
    if (sql[i] == '/' && sql[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (sql[i] == '*' && sql[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return sql.size();
}

// When a dollar-quoted string ($$...$$ or $tag$...$tag$) opens at `i`, the index past its
// end; otherwise `i` itself.
std::size_t skip_dollar_quoted(std::string_view sql, std::size_t i) {
  std::size_t j = i + 1;
  if (j < sql.size() && is_tag_start(sql[j])) {
    while (j < sql.size() && is_identifier_char(sql[j]) && sql[j] != '$') ++j;
  }
  if (j >= sql.size() || sql[j] != '$') return i;
  const std::string_view delimiter = sql.substr(i, j - i + 1);
  const std::size_t end = sql.find(delimiter, j + 1);
  return end == std::string_view::npos ? sql.size() : end + delimiter.size();
}

// Calls `on_placeholder(index)` for every `?` that is a placeholder.
template <class Callback>
void scan(std::string_view sql, Callback&& on_placeholder) {
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    const bool after_identifier = i > 0 && is_identifier_char(sql[i - 1]);
    if (c == '\'') {
      // E'...' (not the tail of an identifier like `some'`) allows backslash escapes.
      const bool escapes = i > 0 && (sql[i - 1] == 'e' || sql[i - 1] == 'E') &&
                           !(i > 1 && is_identifier_char(sql[i - 2]));
      i = skip_quoted(sql, i, '\'', escapes);
    } else if (c == '"') {
      i = skip_quoted(sql, i, '"', false);
    } else if (c == '-' && next == '-') {
      const std::size_t eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? sql.size() : eol + 1;
    } else if (c == '/' && next == '*') {
      i = skip_block_comment(sql, i);
    } else if (c == '$' && !after_identifier) {
      const std::size_t end = skip_dollar_quoted(sql, i);
      i = end == i ? i + 1 : end;
    } else {
      if (c == '?') on_placeholder(i);
      ++i;
    }
  }
}

}  // namespace

std::size_t count_placeholders(std::string_view sql) {
  std::size_t n = 0;
  scan(sql, [&](std::size_t) { ++n; });
  return n;
}

numbered_sql number_placeholders(std::string_view sql) {
  numbered_sql out;
  out.text.reserve(sql.size() + 8);
  std::size_t copied = 0;
  scan(sql, [&](std::size_t at) {
    out.text.append(sql.substr(copied, at - copied));
    out.text += '$';
    out.text += std::to_string(++out.placeholders);
    copied = at + 1;
  });
  out.text.append(sql.substr(copied));
  return out;
}

}  // namespace bastion::db::detail
