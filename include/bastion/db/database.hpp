#pragma once
// A small database interface: prepared statements only.
//
// SQL is written once with `?` placeholders; the PostgreSQL backend rewrites them to
// `$1..$n`. Values are always bound, never spliced into the SQL text. Failures come back
// as error codes (`db_errc`); the driver's own message, which can contain SQL, is logged
// server-side on the "db" logger and never returned to callers that might show it.
//
// A database object is safe to use from many threads. Connections are opened lazily
// and re-opened after a failure, so a database that is down at start or goes away
// later makes queries fail (and `ping` return false) without stopping the server.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bastion::db {

// NULL, integer, real or text.
using value = std::variant<std::monostate, std::int64_t, double, std::string>;

enum class db_errc {
  unavailable = 1,  // could not connect / open, or the connection broke
  constraint,       // a constraint (unique, foreign key, not null, check) was violated
  query_failed,     // any other failure reported by the server for this statement
  invalid_url,      // DATABASE_URL could not be understood
  bad_parameters,   // the number of bound values differs from the placeholders
};
const boost::system::error_category& db_category() noexcept;
boost::system::error_code make_error_code(db_errc e) noexcept;

struct row {
  std::vector<value> columns;

  bool is_null(std::size_t i) const { return std::holds_alternative<std::monostate>(columns.at(i)); }
  // Integer value of column i (text holding an integer is converted; NULL gives 0).
  std::int64_t integer(std::size_t i) const;
  // Text value of column i (numbers are formatted; NULL gives "").
  std::string text(std::size_t i) const;
};

struct result_set {
  std::vector<std::string> column_names;
  std::vector<row> rows;
  std::int64_t affected_rows = 0;   // rows changed by INSERT/UPDATE/DELETE
  std::int64_t last_insert_id = 0;  // SQLite rowid, or the first column of RETURNING on PostgreSQL
};

struct database_options {
  std::size_t pool_size = 4;                                    // connections kept open (PostgreSQL)
  std::chrono::milliseconds connect_timeout{2000};              // bound on opening a connection
  std::chrono::milliseconds statement_timeout{5000};            // server-side bound per statement
  std::chrono::milliseconds busy_timeout{2000};                 // SQLite: wait for a locked database
};

class database {
 public:
  virtual ~database() = default;

  // Runs one statement with `?` placeholders bound to `params`.
  virtual boost::system::result<result_set> query(std::string_view sql,
                                                  std::span<const value> params) = 0;

  template <class... Args>
  boost::system::result<result_set> query(std::string_view sql, Args&&... args) {
    const value params[] = {value(std::forward<Args>(args))..., value{}};
    return query(sql, std::span<const value>(params, sizeof...(Args)));
  }

  // Runs trusted DDL (schema creation) made of several statements. No parameters.
  virtual boost::system::result<void> execute_script(std::string_view sql) = 0;

  // True when the database answers a trivial query right now. Never throws.
  virtual bool ping() noexcept = 0;

  // "sqlite" or "postgresql".
  virtual std::string_view backend() const noexcept = 0;
};

// Opens `sqlite:///relative/path`, `sqlite:////absolute/path`, `sqlite://:memory:` or
// `postgresql://user:pass@host:port/db` (also `postgres://`). Returns invalid_url for
// anything else. Does not connect: the first query (or ping) does.
boost::system::result<std::unique_ptr<database>> open_database(std::string_view url,
                                                                const database_options& options = {});

// The URL with any password replaced by "***", for logs and `check --deploy`.
std::string redact_database_url(std::string_view url);

}  // namespace bastion::db

template <>
struct boost::system::is_error_code_enum<bastion::db::db_errc> : std::true_type {};
