#pragma once
// `?` placeholder handling shared by the backends.
//
// A `?` counts as a placeholder only outside string literals ('...', E'...', $tag$...$tag$),
// double-quoted identifiers and comments (`--` to end of line, `/* */`, nested as in
// PostgreSQL). PostgreSQL's jsonb operators `?`, `?|` and `?&` therefore cannot be written
// in SQL passed to `database::query`; use jsonb_exists() and friends instead.
#include <cstddef>
#include <string>
#include <string_view>

namespace bastion::db::detail {

// Number of `?` placeholders in `sql`.
std::size_t count_placeholders(std::string_view sql);

struct numbered_sql {
  std::string text;              // the SQL with the n-th placeholder written as `$n`
  std::size_t placeholders = 0;  // how many were rewritten
};

// Rewrites `?` placeholders to PostgreSQL's `$1..$n`, leaving everything else untouched.
numbered_sql number_placeholders(std::string_view sql);

}  // namespace bastion::db::detail
