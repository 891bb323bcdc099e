#include "db/postgres_database.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstring>

#include "db/placeholders.hpp"

namespace bastion::db {
namespace {

using clock = std::chrono::steady_clock;

constexpr std::size_t logged_sql_chars = 200;
constexpr std::size_t max_parameters = 65535;  // the protocol's limit

// Type OIDs from pg_type.h, which only the server headers ship.
constexpr Oid bool_oid = 16;
constexpr Oid int8_oid = 20;
constexpr Oid int2_oid = 21;
constexpr Oid int4_oid = 23;
constexpr Oid float4_oid = 700;
constexpr Oid float8_oid = 701;
constexpr Oid numeric_oid = 1700;

std::string_view sql_for_log(std::string_view sql) { return sql.substr(0, logged_sql_chars); }

std::string_view trim_newline(const char* message) {
  std::string_view m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.remove_suffix(1);
  return m;
}

std::string_view error_field(const PGresult* r, int code) {
  const char* v = PQresultErrorField(r, code);
  return v ? v : "";
}

// Server notices (DROP ... IF EXISTS, RAISE NOTICE) would otherwise go to stderr.
void on_notice(void*, const char* message) noexcept {
  try {
    log::event(spdlog::level::debug, "db", "server_notice",
               {{"backend", "postgresql"}, {"message", trim_newline(message)}});
  } catch (...) {
  }
}

struct result_deleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

enum class wait_status { ready, timed_out, failed };

// Waits until the connection's socket allows `events`, or the deadline passes.
wait_status wait_socket(PGconn* conn, short events, clock::time_point deadline) {
  const int fd = PQsocket(conn);
  if (fd < 0) return wait_status::failed;
  for (;;) {
    int timeout_ms = -1;
    if (deadline != clock::time_point::max()) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
      if (left.count() <= 0) return wait_status::timed_out;
      timeout_ms =
          static_cast<int>(std::min<std::chrono::milliseconds::rep>(left.count(), INT_MAX));
    }
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, timeout_ms);
    if (n > 0) return wait_status::ready;
    if (n == 0) return wait_status::timed_out;
    if (errno != EINTR) return wait_status::failed;
  }
}

// An idle connection whose server went away (restart, idle timeout) has an error message
// and then end-of-file waiting on its socket; reading them marks the connection bad
// without a round trip.
bool still_connected(PGconn* conn) {
  for (int reads = 0; reads < 4 && PQstatus(conn) == CONNECTION_OK; ++reads) {
    const int fd = PQsocket(conn);
    if (fd < 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    if (!PQconsumeInput(conn)) return false;
    PQisBusy(conn);  // parses what arrived, reporting any server notice
  }
  return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
}

bool starts_with_dml(const char* command_status) {
  const std::string_view s = command_status ? command_status : "";
  return s.starts_with("INSERT") || s.starts_with("UPDATE") || s.starts_with("DELETE") ||
         s.starts_with("MERGE");
}

value convert(const PGresult* r, int row_index, int column, Oid type) {
  if (PQgetisnull(r, row_index, column)) return std::monostate{};
  const char* text = PQgetvalue(r, row_index, column);
  const auto size = static_cast<std::size_t>(PQgetlength(r, row_index, column));
  const char* end = text + size;
  switch (type) {
    case int2_oid:
    case int4_oid:
    case int8_oid: {
      std::int64_t n = 0;
      const auto [ptr, ec] = std::from_chars(text, end, n);
      if (ec == std::errc{} && ptr == end) return n;
      break;
    }
    case float4_oid:
    case float8_oid:
    case numeric_oid: {
      double d = 0;
      const auto [ptr, ec] = std::from_chars(text, end, d);
      if (ec == std::errc{} && ptr == end) return d;
      break;
    }
    case bool_oid:
      // As SQLite reports a comparison: 1 or 0, so row::integer works on both backends.
      return std::int64_t{size == 1 && text[0] == 't' ? 1 : 0};
    default:
      break;
  }
  return std::string(text, size);
}

result_set to_result_set(PGresult* r) {
  result_set out;
  const int columns = PQnfields(r);
  const int rows = PQntuples(r);
  out.column_names.reserve(static_cast<std::size_t>(columns));
  std::vector<Oid> types;
  types.reserve(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) {
    const char* name = PQfname(r, c);
    out.column_names.emplace_back(name ? name : "");
    types.push_back(PQftype(r, c));
  }
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    row x;
    x.columns.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      x.columns.push_back(convert(r, i, c, types[static_cast<std::size_t>(c)]));
    }
    out.rows.push_back(std::move(x));
  }
  if (starts_with_dml(PQcmdStatus(r))) {
    const char* affected = PQcmdTuples(r);
    std::int64_t n = 0;
    std::from_chars(affected, affected + std::strlen(affected), n);
    out.affected_rows = n;
    // INSERT ... RETURNING id: the first returned column is the new key.
    if (!out.rows.empty() && !out.rows.front().columns.empty()) {
      if (const auto* id = std::get_if<std::int64_t>(&out.rows.front().columns.front())) {
        out.last_insert_id = *id;
      }
    }
  }
  return out;
}

db_errc classify(std::string_view sqlstate) noexcept {
  if (sqlstate.starts_with("23")) return db_errc::constraint;
  // Connection exceptions, the server shutting down or still starting, too many clients.
  if (sqlstate.starts_with("08") || sqlstate.starts_with("57P") || sqlstate == "53300") {
    return db_errc::unavailable;
  }
  return db_errc::query_failed;
}

}  // namespace

struct postgres_database::connection {
  PGconn* handle = nullptr;
  bool broken = false;

  connection() = default;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() {
    if (handle) PQfinish(handle);
  }
};

struct postgres_database::outcome {
  result_ptr result;  // the last result, when every statement succeeded
  db_errc error{};    // otherwise the failure
  bool ok() const noexcept { return error == db_errc{}; }
};

// Returns the connection to the pool however the call ends.
class postgres_database::lease {
 public:
  lease(postgres_database& owner, std::unique_ptr<connection> c)
      : owner_(owner), c_(std::move(c)) {}
  lease(const lease&) = delete;
  lease& operator=(const lease&) = delete;
  ~lease() { owner_.release(std::move(c_)); }
  connection& operator*() const noexcept { return *c_; }
  connection* operator->() const noexcept { return c_.get(); }

 private:
  postgres_database& owner_;
  std::unique_ptr<connection> c_;
};

boost::system::result<std::unique_ptr<database>> postgres_database::open(
    const std::string& url, std::string redacted, const database_options& options) {
  // libpq's parser is the authority on its URI syntax (multiple hosts, query parameters).
  // Its message may quote part of the URL, password included, so it is not logged.
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (parsed == nullptr) {
    if (error) PQfreemem(error);
    log::error("db", "invalid_url", {{"backend", "postgresql"}, {"database", redacted}});
    return db_errc::invalid_url;
  }
  std::vector<std::pair<std::string, std::string>> conninfo;
  for (const PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) conninfo.emplace_back(o->keyword, o->val);
  }
  PQconninfoFree(parsed);
  return std::unique_ptr<database>(
      std::make_unique<postgres_database>(std::move(conninfo), std::move(redacted), options));
}

postgres_database::postgres_database(std::vector<std::pair<std::string, std::string>> conninfo,
                                     std::string redacted, const database_options& options)
    : conninfo_(std::move(conninfo)),
      redacted_(std::move(redacted)),
      options_(options),
      pool_(std::make_unique<connection_pool<connection>>(
          std::max<std::size_t>(options.pool_size, 1), options.connect_timeout,
          boost::json::object{{"backend", "postgresql"}, {"database", redacted_}})) {
  auto find = [&](std::string_view key) -> std::string* {
    for (auto& [k, v] : conninfo_) {
      if (k == key) return &v;
    }
    return nullptr;
  };
  auto set_default = [&](std::string_view key, std::string v) {
    if (!find(key)) conninfo_.emplace_back(std::string(key), std::move(v));
  };
  set_default("application_name", "bastion");
  set_default("client_encoding", "UTF8");
  // Notice a server that vanished without closing the connection within about a minute.
  set_default("keepalives", "1");
  set_default("keepalives_idle", "30");
  set_default("keepalives_interval", "10");
  set_default("keepalives_count", "3");
  // The server enforces the statement bound from the first statement on.
  const std::string timeout = "-c statement_timeout=" + std::to_string(std::max<std::int64_t>(
                                                            options.statement_timeout.count(), 0));
  if (std::string* existing = find("options")) {
    *existing += ' ' + timeout;
  } else {
    conninfo_.emplace_back("options", timeout);
  }
}

postgres_database::~postgres_database() = default;

boost::system::result<std::unique_ptr<postgres_database::connection>> postgres_database::connect() {
  auto c = std::make_unique<connection>();
  auto report = [&](std::string_view reason) {
    std::uint64_t suppressed = 0;
    if (connect_failure_log_.allow(suppressed)) {
      log::error("db", "connect_failed",
                 {{"backend", "postgresql"},
                  {"database", redacted_},
                  {"reason", reason},
                  {"message", c->handle ? trim_newline(PQerrorMessage(c->handle)) : ""},
                  {"suppressed", suppressed}});
    }
    return db_errc::unavailable;
  };

  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (const auto& [k, v] : conninfo_) {
    keywords.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);

  // The non-blocking handshake, so that connect_timeout holds to the millisecond (libpq's
  // own connect_timeout counts whole seconds). Host names are still resolved synchronously
  // inside libpq; numeric addresses avoid that.
  const auto deadline = clock::now() + options_.connect_timeout;
  c->handle = PQconnectStartParams(keywords.data(), values.data(), 0);
  if (c->handle == nullptr) return report("out_of_memory");
  PQsetNoticeProcessor(c->handle, &on_notice, nullptr);
  if (PQstatus(c->handle) == CONNECTION_BAD) return report("failed");
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) return report("failed");
    const short events = state == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    switch (wait_socket(c->handle, events, deadline)) {
      case wait_status::ready:
        break;
      case wait_status::timed_out:
        return report("timeout");
      case wait_status::failed:
        return report("socket_error");
    }
    state = PQconnectPoll(c->handle);
  }
  // Non-blocking sends: a stalled server cannot hold a thread past the deadline.
  if (PQsetnonblocking(c->handle, 1) != 0) return report("socket_error");
  return c;
}

boost::system::result<std::unique_ptr<postgres_database::connection>> postgres_database::acquire() {
  return pool_->acquire([this] { return connect(); },
                        [](const connection& c) { return still_connected(c.handle); });
}

void postgres_database::release(std::unique_ptr<connection> c) {
  // A connection left inside a transaction (a bare BEGIN) would carry it to the next
  // caller; closing it makes the server roll back.
  const PGTransactionStatusType tx = PQtransactionStatus(c->handle);
  const bool in_transaction = tx == PQTRANS_INTRANS || tx == PQTRANS_INERROR;
  const bool keep = !c->broken && tx == PQTRANS_IDLE && PQstatus(c->handle) == CONNECTION_OK;
  if (in_transaction && !c->broken) {
    try {
      log::warn("db", "transaction_left_open",
                {{"backend", "postgresql"}, {"database", redacted_}});
    } catch (...) {
    }
  }
  pool_->release(std::move(c), keep);
}

void postgres_database::lost(connection& c, std::string_view reason, std::string_view sql) {
  c.broken = true;
  log::error("db", "connection_lost",
             {{"backend", "postgresql"},
              {"database", redacted_},
              {"reason", reason},
              {"message", trim_newline(PQerrorMessage(c.handle))},
              {"sql", sql_for_log(sql)}});
}

// Sends what libpq buffered, then collects every result of the command in flight. A
// script may legitimately be empty; a query may not.
postgres_database::outcome postgres_database::finish(connection& c, std::string_view sql,
                                                     bool script) {
  PGconn* conn = c.handle;
  // The server cancels a statement at statement_timeout; the client deadline past it only
  // catches a stalled network. A script's statements are timed one by one, so it has no
  // overall bound here, and TCP keepalives notice a dead server instead.
  const auto deadline = !script && options_.statement_timeout.count() > 0
                            ? clock::now() + options_.statement_timeout + options_.connect_timeout
                            : clock::time_point::max();
  outcome out;
  auto lose = [&](std::string_view reason) {
    lost(c, reason, sql);
    out.result.reset();
    out.error = db_errc::unavailable;
  };
  auto wait = [&](short events) {
    const wait_status s = wait_socket(conn, events, deadline);
    if (s != wait_status::ready) lose(s == wait_status::timed_out ? "timeout" : "socket_error");
    return s == wait_status::ready;
  };

  for (;;) {
    const int pending = PQflush(conn);
    if (pending == 0) break;
    if (pending < 0) {
      lose("send_failed");
      return out;
    }
    if (!wait(POLLIN | POLLOUT)) return out;
    if (!PQconsumeInput(conn)) {
      lose("receive_failed");
      return out;
    }
  }

  bool any = false;
  for (;;) {
    while (PQisBusy(conn)) {
      if (!wait(POLLIN)) return out;
      if (!PQconsumeInput(conn)) {
        lose("receive_failed");
        return out;
      }
    }
    result_ptr r(PQgetResult(conn));
    if (!r) break;
    any = true;
    const ExecStatusType status = PQresultStatus(r.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ||
        (script && status == PGRES_EMPTY_QUERY)) {
      if (out.ok()) out.result = std::move(r);
      continue;
    }
    if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
      // COPY is not supported here, and the connection is now inside one: drop it.
      c.broken = true;
      log::error(
          "db", "query_failed",
          {{"backend", "postgresql"}, {"reason", "copy_unsupported"}, {"sql", sql_for_log(sql)}});
      out.result.reset();
      out.error = db_errc::query_failed;
      return out;
    }
    if (!out.ok()) continue;  // keep the first failure, drain the rest
    out.result.reset();
    if (status == PGRES_EMPTY_QUERY) {
      log::error("db", "empty_statement", {{"backend", "postgresql"}});
      out.error = db_errc::query_failed;
      continue;
    }
    const std::string_view sqlstate = error_field(r.get(), PG_DIAG_SQLSTATE);
    out.error = PQstatus(conn) == CONNECTION_BAD ? db_errc::unavailable : classify(sqlstate);
    if (out.error == db_errc::unavailable) c.broken = true;
    // Data exceptions (class 22) quote the offending value, which may be a bound secret,
    // and the DETAIL line can quote key values: neither is logged.
    boost::json::object fields{{"backend", "postgresql"},
                               {"database", redacted_},
                               {"sqlstate", sqlstate},
                               {"sql", sql_for_log(sql)}};
    if (!sqlstate.starts_with("22"))
      fields["message"] = error_field(r.get(), PG_DIAG_MESSAGE_PRIMARY);
    for (const auto& [name, code] :
         {std::pair{"constraint", PG_DIAG_CONSTRAINT_NAME}, std::pair{"table", PG_DIAG_TABLE_NAME},
          std::pair{"column", PG_DIAG_COLUMN_NAME}}) {
      if (auto v = error_field(r.get(), code); !v.empty()) fields[name] = v;
    }
    if (out.error == db_errc::constraint) {
      log::warn("db", "constraint_violation", std::move(fields));
    } else {
      log::error("db", "query_failed", std::move(fields));
    }
  }
  if (out.ok() && !out.result && !(script && !any)) out.error = db_errc::query_failed;
  return out;
}

boost::system::result<result_set> postgres_database::query(std::string_view sql,
                                                           std::span<const value> params) {
  const auto numbered = detail::number_placeholders(sql);
  if (numbered.placeholders != params.size() || params.size() > max_parameters) {
    log::error("db", "parameter_count_mismatch",
               {{"backend", "postgresql"},
                {"expected", numbered.placeholders},
                {"given", params.size()},
                {"sql", sql_for_log(sql)}});
    return db_errc::bad_parameters;
  }
  if (numbered.text.find('\0') != std::string::npos) {
    log::error("db", "nul_in_sql", {{"backend", "postgresql"}});
    return db_errc::query_failed;
  }

  // Text-format parameters. Numbers carry their type so `SELECT ?` comes back typed;
  // strings and NULL are left for the server to infer from context.
  std::vector<Oid> types(params.size(), 0);
  std::vector<const char*> values(params.size(), nullptr);
  std::vector<std::string> formatted(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const value& v = params[i];
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      types[i] = int8_oid;
      formatted[i] = std::to_string(*n);
      values[i] = formatted[i].c_str();
    } else if (const auto* d = std::get_if<double>(&v)) {
      types[i] = float8_oid;
      char buf[32];
      const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, *d);
      formatted[i].assign(buf, ec == std::errc{} ? ptr : buf);
      values[i] = formatted[i].c_str();
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      // libpq would cut the text at a NUL byte; PostgreSQL text cannot hold one anyway.
      if (s->find('\0') != std::string::npos) {
        log::error("db", "nul_in_parameter", {{"backend", "postgresql"}, {"index", i + 1}});
        return db_errc::query_failed;
      }
      values[i] = s->c_str();
    }
  }

  auto acquired = acquire();
  if (!acquired) return acquired.error();
  lease c(*this, std::move(*acquired));
  if (!PQsendQueryParams(c->handle, numbered.text.c_str(), static_cast<int>(params.size()),
                         types.data(), values.data(), nullptr, nullptr, 0)) {
    lost(*c, "send_failed", sql);
    return db_errc::unavailable;
  }
  outcome done = finish(*c, sql, false);
  if (!done.ok()) return done.error;
  return to_result_set(done.result.get());
}

boost::system::result<void> postgres_database::execute_script(std::string_view sql) {
  const std::string script(sql);
  if (script.find('\0') != std::string::npos) return db_errc::query_failed;
  auto acquired = acquire();
  if (!acquired) return acquired.error();
  lease c(*this, std::move(*acquired));
  // The simple protocol runs several statements, as one transaction unless they say
  // otherwise.
  if (!PQsendQuery(c->handle, script.c_str())) {
    lost(*c, "send_failed", sql);
    return db_errc::unavailable;
  }
  outcome done = finish(*c, sql, true);
  if (!done.ok()) return done.error;
  return {};
}

bool postgres_database::ping() noexcept {
  try {
    return query("SELECT 1", std::span<const value>{}).has_value();
  } catch (...) {
    return false;
  }
}

}  // namespace bastion::db
