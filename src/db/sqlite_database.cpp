#include "db/sqlite_database.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <system_error>
#include <unordered_map>

namespace bastion::db {
namespace {

using clock = std::chrono::steady_clock;

constexpr std::size_t logged_sql_chars = 200;

std::string_view sql_for_log(std::string_view sql) { return sql.substr(0, logged_sql_chars); }

int clamp_ms(std::chrono::milliseconds ms) {
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(ms.count(), 0, INT_MAX));
}

db_errc classify(int rc) noexcept {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return db_errc::constraint;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      return db_errc::unavailable;
    default:
      return db_errc::query_failed;
  }
}

// Errors after which the connection is not worth keeping: reopening is the way out (the
// file was moved, the disk came back, ...).
bool breaks_connection(int rc) noexcept {
  switch (rc & 0xff) {
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_READONLY:
      return true;
    default:
      return false;
  }
}

struct statement_deleter {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using statement_ptr = std::unique_ptr<sqlite3_stmt, statement_deleter>;

value read_column(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return static_cast<std::int64_t>(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
    }
    default:
      return std::monostate{};
  }
}

int bind(sqlite3_stmt* stmt, int index, const value& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return sqlite3_bind_int64(stmt, index, *n);
  if (const auto* d = std::get_if<double>(&v)) return sqlite3_bind_double(stmt, index, *d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    // Static: the values outlive the statement's execution. The explicit length keeps
    // embedded NUL bytes.
    return sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  return sqlite3_bind_null(stmt, index);
}

}  // namespace

struct sqlite_database::connection {
  struct sql_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  static constexpr std::size_t max_cached_statements = 64;

  sqlite3* handle = nullptr;
  clock::time_point deadline = clock::time_point::max();
  bool broken = false;
  // Prepared statements by SQL text: an app runs the same few statements over and over,
  // and preparing is most of the cost of a small query.
  std::unordered_map<std::string, statement_ptr, sql_hash, std::equal_to<>> statements;

  connection() = default;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() { sqlite3_close_v2(handle); }

  // Interrupts the running statement once its deadline has passed.
  static int on_progress(void* self) noexcept {
    return clock::now() > static_cast<connection*>(self)->deadline ? 1 : 0;
  }

  void start_deadline(std::chrono::milliseconds timeout) {
    deadline = timeout.count() > 0 ? clock::now() + timeout : clock::time_point::max();
  }

  // A transaction left open (say, a bare BEGIN) would leak into whoever uses this
  // connection next; nothing spans calls, so roll it back.
  void end_stray_transaction(std::string_view name) {
    if (handle == nullptr || sqlite3_get_autocommit(handle)) return;
    log::warn("db", "transaction_left_open", {{"backend", "sqlite"}, {"database", name}});
    if (sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK) broken = true;
  }
};

// Returns the connection to the pool however the call ends.
class sqlite_database::lease {
 public:
  lease(sqlite_database& owner, std::unique_ptr<connection> c) : owner_(owner), c_(std::move(c)) {}
  lease(const lease&) = delete;
  lease& operator=(const lease&) = delete;
  ~lease() {
    c_->deadline = clock::time_point::max();
    try {
      c_->end_stray_transaction(owner_.name_);
    } catch (...) {
      c_->broken = true;
    }
    owner_.release(std::move(c_));
  }
  connection& operator*() const noexcept { return *c_; }
  connection* operator->() const noexcept { return c_.get(); }

 private:
  sqlite_database& owner_;
  std::unique_ptr<connection> c_;
};

boost::system::result<std::unique_ptr<database>> sqlite_database::open(
    std::optional<std::filesystem::path> file, const database_options& options) {
  return std::unique_ptr<database>(std::make_unique<sqlite_database>(std::move(file), options));
}

sqlite_database::sqlite_database(std::optional<std::filesystem::path> file,
                                 const database_options& options)
    : file_(std::move(file)),
      name_(file_ ? file_->string() : std::string(":memory:")),
      options_(options),
      // An in-memory database lives in its one connection: a pool of one.
      pool_(std::make_unique<connection_pool<connection>>(
          file_ ? std::max<std::size_t>(options.pool_size, 1) : 1, options.connect_timeout,
          boost::json::object{{"backend", "sqlite"}, {"database", name_}})) {}

sqlite_database::~sqlite_database() = default;

boost::system::result<std::unique_ptr<sqlite_database::connection>> sqlite_database::connect() {
  auto report = [&](std::string_view event, std::string message) {
    std::uint64_t suppressed = 0;
    if (open_failure_log_.allow(suppressed)) {
      log::error("db", event,
                 {{"backend", "sqlite"},
                  {"database", name_},
                  {"message", std::move(message)},
                  {"suppressed", suppressed}});
    }
    return db_errc::unavailable;
  };

  if (file_) {
    // Like Flask's instance folder: the directory may not exist on first start.
    std::error_code ec;
    std::filesystem::create_directories(file_->parent_path(), ec);
    if (ec) return report("sqlite_directory_unavailable", ec.message());
  }

  auto c = std::make_unique<connection>();
  // NOMUTEX: the pool guarantees one thread per connection at a time.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(name_.c_str(), &c->handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    return report("sqlite_open_failed", c->handle ? sqlite3_errmsg(c->handle) : sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(c->handle, 1);
  sqlite3_busy_timeout(c->handle, clamp_ms(options_.busy_timeout));
  sqlite3_db_config(c->handle, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_progress_handler(c->handle, 1000, &connection::on_progress, c.get());
  // Setting the journal mode touches the file, so an unusable path fails here rather
  // than halfway through a request.
  rc = sqlite3_exec(c->handle, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", nullptr, nullptr,
                    nullptr);
  if (rc != SQLITE_OK) return report("sqlite_open_failed", sqlite3_errmsg(c->handle));
  return c;
}

boost::system::result<std::unique_ptr<sqlite_database::connection>> sqlite_database::acquire() {
  return pool_->acquire([this] { return connect(); }, [](const connection&) { return true; });
}

void sqlite_database::release(std::unique_ptr<connection> c) {
  // The only connection of an in-memory database holds all its data: never drop it.
  const bool keep = !c->broken || !file_;
  c->broken = false;
  pool_->release(std::move(c), keep);
}

db_errc sqlite_database::fail(connection& c, int rc, std::string_view stage, std::string_view sql) {
  const db_errc e = classify(rc);
  if (breaks_connection(rc)) c.broken = true;
  // SQLite's messages name tables, columns and constraints, never bound values.
  boost::json::object fields{{"backend", "sqlite"},
                             {"database", name_},
                             {"stage", stage},
                             {"code", rc},
                             {"message", sqlite3_errmsg(c.handle)},
                             {"sql", sql_for_log(sql)}};
  if (e == db_errc::constraint) {
    log::warn("db", "constraint_violation", std::move(fields));
  } else {
    log::error("db", "query_failed", std::move(fields));
  }
  return e;
}

boost::system::result<result_set> sqlite_database::query(std::string_view sql,
                                                         std::span<const value> params) {
  auto acquired = acquire();
  if (!acquired) return acquired.error();
  lease c(*this, std::move(*acquired));
  sqlite3* db = c->handle;

  if (sql.size() > INT_MAX) return db_errc::query_failed;
  sqlite3_stmt* stmt = nullptr;
  if (auto it = c->statements.find(sql); it != c->statements.end()) {
    stmt = it->second.get();
  } else {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
    statement_ptr prepared(raw);
    if (rc != SQLITE_OK) return fail(*c, rc, "prepare", sql);
    if (!prepared) {
      log::error("db", "empty_statement", {{"backend", "sqlite"}, {"database", name_}});
      return db_errc::query_failed;
    }
    // One statement per call: a second one smuggled in after a ';' is refused.
    if (tail != nullptr && tail < sql.data() + sql.size()) {
      sqlite3_stmt* next = nullptr;
      const auto rest = static_cast<int>(sql.data() + sql.size() - tail);
      rc = sqlite3_prepare_v2(db, tail, rest, &next, nullptr);
      statement_ptr next_stmt(next);
      if (rc != SQLITE_OK || next_stmt) {
        log::error("db", "multiple_statements",
                   {{"backend", "sqlite"}, {"database", name_}, {"sql", sql_for_log(sql)}});
        return db_errc::query_failed;
      }
    }
    if (c->statements.size() >= connection::max_cached_statements) c->statements.clear();
    stmt = c->statements.emplace(std::string(sql), std::move(prepared)).first->second.get();
  }
  // Leaves the cached statement ready for its next use however this call ends.
  struct reset_on_exit {
    sqlite3_stmt* s;
    ~reset_on_exit() {
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
    }
  } reset{stmt};
  int rc = SQLITE_OK;

  const int expected = sqlite3_bind_parameter_count(stmt);
  if (static_cast<std::size_t>(expected) != params.size()) {
    log::error("db", "parameter_count_mismatch",
               {{"backend", "sqlite"},
                {"expected", expected},
                {"given", params.size()},
                {"sql", sql_for_log(sql)}});
    return db_errc::bad_parameters;
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    rc = bind(stmt, static_cast<int>(i + 1), params[i]);
    if (rc != SQLITE_OK) return fail(*c, rc, "bind", sql);
  }

  result_set out;
  // Both counters are per connection and otherwise keep the previous statement's values.
  sqlite3_set_last_insert_rowid(db, 0);
  const auto changes_before = sqlite3_total_changes64(db);
  c->start_deadline(options_.statement_timeout);
  rc = sqlite3_step(stmt);
  // Column names are read after the first step: a cached statement is re-prepared
  // there when the schema changed, and may then have different columns.
  const int columns = sqlite3_column_count(stmt);
  out.column_names.reserve(static_cast<std::size_t>(columns));
  for (int i = 0; i < columns; ++i) {
    const char* name = sqlite3_column_name(stmt, i);
    out.column_names.emplace_back(name ? name : "");
  }
  for (; rc == SQLITE_ROW; rc = sqlite3_step(stmt)) {
    row r;
    r.columns.reserve(static_cast<std::size_t>(columns));
    for (int i = 0; i < columns; ++i) r.columns.push_back(read_column(stmt, i));
    out.rows.push_back(std::move(r));
  }
  c->deadline = clock::time_point::max();
  if (rc != SQLITE_DONE) return fail(*c, rc, "step", sql);

  if (sqlite3_total_changes64(db) != changes_before) out.affected_rows = sqlite3_changes64(db);
  out.last_insert_id = sqlite3_last_insert_rowid(db);
  return out;
}

boost::system::result<void> sqlite_database::execute_script(std::string_view sql) {
  auto acquired = acquire();
  if (!acquired) return acquired.error();
  lease c(*this, std::move(*acquired));
  const std::string script(sql);
  c->start_deadline(options_.statement_timeout);
  const int rc = sqlite3_exec(c->handle, script.c_str(), nullptr, nullptr, nullptr);
  c->deadline = clock::time_point::max();
  if (rc != SQLITE_OK) return fail(*c, rc, "script", sql);
  return {};
}

bool sqlite_database::ping() noexcept {
  try {
    return query("SELECT 1", std::span<const value>{}).has_value();
  } catch (...) {
    return false;
  }
}

}  // namespace bastion::db
