#include "bastion/db/database.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <charconv>
#include <filesystem>
#include <limits>
#include <optional>
#include <system_error>

#include "db/postgres_database.hpp"
#include "db/sqlite_database.hpp"

namespace bastion::db {
namespace {

class db_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "bastion.db"; }

  std::string message(int ev) const override {
    switch (static_cast<db_errc>(ev)) {
      case db_errc::unavailable:
        return "database unavailable";
      case db_errc::constraint:
        return "constraint violation";
      case db_errc::query_failed:
        return "query failed";
      case db_errc::invalid_url:
        return "invalid database URL";
      case db_errc::bad_parameters:
        return "wrong number of query parameters";
    }
    return "unknown database error";
  }
};

bool iequals(std::string_view a, std::string_view b) noexcept {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](char x, char y) { return lower(x) == lower(y); });
}

// The scheme (lower-cased) and the rest after "://", when `url` has that shape.
std::optional<std::pair<std::string, std::string_view>> split_scheme(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  std::string scheme(url.substr(0, sep));
  for (char& c : scheme) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return std::pair{std::move(scheme), url.substr(sep + 3)};
}

boost::system::result<std::unique_ptr<database>> open_sqlite(std::string_view rest,
                                                             const database_options& options) {
  if (rest == ":memory:") return sqlite_database::open(std::nullopt, options);
  // Flask-SQLAlchemy's shape: an empty host, then the path. One slash more makes it absolute.
  if (rest.size() < 2 || rest.front() != '/') return db_errc::invalid_url;
  const std::string_view path = rest.substr(1);
  if (path.find_first_of("?#") != std::string_view::npos || path.back() == '/') {
    return db_errc::invalid_url;
  }
  std::error_code ec;
  // Resolved once, so a later change of working directory does not move the database.
  auto absolute = std::filesystem::absolute(std::filesystem::path(path), ec);
  if (ec) return db_errc::invalid_url;
  return sqlite_database::open(absolute.lexically_normal(), options);
}

}  // namespace

const boost::system::error_category& db_category() noexcept {
  static const db_category_impl category;
  return category;
}

boost::system::error_code make_error_code(db_errc e) noexcept {
  return {static_cast<int>(e), db_category()};
}

std::int64_t row::integer(std::size_t i) const {
  const value& v = columns.at(i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) {
    // Saturate rather than overflow (undefined behaviour) for out-of-range reals.
    if (!(*d == *d)) return 0;
    constexpr double limit = 9.2233720368547758e18;  // 2^63
    if (*d >= limit) return std::numeric_limits<std::int64_t>::max();
    if (*d <= -limit) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(*d);
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::int64_t n = 0;
    const char* end = s->data() + s->size();
    const auto [ptr, ec] = std::from_chars(s->data(), end, n);
    return ec == std::errc{} && ptr == end ? n : 0;
  }
  return 0;
}

std::string row::text(std::size_t i) const {
  const value& v = columns.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return ec == std::errc{} ? std::string(buf, ptr) : std::string();
  }
  return {};
}

std::string redact_database_url(std::string_view url) {
  std::string out(url);
  const auto authority = out.find("://");
  if (authority == std::string::npos) return out;
  // The password runs from the first ':' of the authority to the last '@'. Hand-typed URLs
  // are not always well formed (an unescaped '/' or '@' inside the password), so rather
  // than trust a parser this masks generously: too much at worst, never too little.
  const auto at = out.rfind('@');
  const auto authority_end = out.find_first_of("/?#", authority + 3);
  const auto colon = out.find(':', authority + 3);
  if (at != std::string::npos && at > authority && colon < at && colon < authority_end) {
    out.replace(colon + 1, at - colon - 1, "***");
  }
  // libpq also takes the password as a query parameter, possibly percent-encoded.
  if (auto parsed = boost::urls::parse_uri(out)) {
    boost::urls::url u(*parsed);
    auto params = u.params();
    if (params.contains("password", boost::urls::ignore_case)) {
      params.set("password", "***", boost::urls::ignore_case);
      return std::string(u.buffer());
    }
    return out;
  }
  // Unparsable: mask any password=... pair by hand.
  for (auto i = out.find('?'); i != std::string::npos && i < out.size(); i = out.find('&', i)) {
    ++i;
    constexpr std::string_view key = "password=";
    if (out.size() - i >= key.size() && iequals(std::string_view(out).substr(i, key.size()), key)) {
      const auto end = out.find_first_of("&#", i + key.size());
      out.replace(i + key.size(), (end == std::string::npos ? out.size() : end) - i - key.size(),
                  "***");
    }
  }
  return out;
}

boost::system::result<std::unique_ptr<database>> open_database(std::string_view url,
                                                               const database_options& options) {
  if (url.find('\0') != std::string_view::npos) return db_errc::invalid_url;
  auto parts = split_scheme(url);
  if (!parts) return db_errc::invalid_url;
  const auto& [scheme, rest] = *parts;
  if (scheme == "sqlite") return open_sqlite(rest, options);
  if (scheme == "postgresql" || scheme == "postgres") {
    // libpq understands only the lower-case schemes; hand it the canonical spelling.
    return postgres_database::open("postgresql://" + std::string(rest), redact_database_url(url),
                                   options);
  }
  return db_errc::invalid_url;
}

}  // namespace bastion::db
