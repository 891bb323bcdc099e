// Tests against a real PostgreSQL server. Start one with
//   scripts/postgres-test-server.sh start
// and export the URL it prints as BASTION_TEST_POSTGRES_URL; without it these tests skip.
// The restart test also needs BASTION_TEST_POSTGRES_CTL=<path to that script>: it runs a
// second, private server (port 25433) so the shared one is never stopped under other tests.
#include <arpa/inet.h>
#include "support/loopback_socket.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bastion/db/database.hpp"

namespace bastion::db {
namespace {

using bastion::testing::loopback_socket;

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

constexpr const char* skip_message =
    "BASTION_TEST_POSTGRES_URL is not set; run `scripts/postgres-test-server.sh start` and "
    "export the URL it prints to run the PostgreSQL tests";

std::unique_ptr<database> open_or_die(const std::string& url,
                                      const database_options& options = {}) {
  auto db = open_database(url, options);
  if (!db) {
    ADD_FAILURE() << "open_database failed: " << db.error().message();
    return nullptr;
  }
  return std::move(*db);
}

class PostgresDatabase : public ::testing::Test {
 protected:
  // Connects to the test server and creates this test's tables.
  void use_server() {
    static std::atomic<int> counter{0};
    suffix_ = "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    db_ = open_or_die(*url_);
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->execute_script("CREATE TABLE " + table("users") +
                                    " (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE, "
                                    "age INTEGER CHECK (age >= 0));"
                                    "CREATE TABLE " +
                                    table("posts") +
                                    " (id BIGSERIAL PRIMARY KEY, user_id BIGINT NOT NULL "
                                    "REFERENCES " +
                                    table("users") +
                                    "(id), body TEXT);"
                                    "CREATE TABLE " +
                                    table("items") +
                                    " (id BIGSERIAL PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, "
                                    "s TEXT)"))
        << "is the server at BASTION_TEST_POSTGRES_URL running?";
  }

  void TearDown() override {
    if (db_) {
      (void)db_->execute_script("DROP TABLE IF EXISTS " + table("posts") + ", " + table("users") +
                                ", " + table("items") + ", " + table("hits") + " CASCADE");
    }
  }

  // Tables are private to this test process and test, so runs can overlap.
  std::string table(const char* name) const { return std::string("t_") + name + suffix_; }

  std::optional<std::string> url_ = env("BASTION_TEST_POSTGRES_URL");
  std::string suffix_;
  std::unique_ptr<database> db_;
};

// Skips the test when no server is configured; otherwise connects and creates its tables.
#define REQUIRE_POSTGRES_SERVER()            \
  do {                                       \
    if (!url_) GTEST_SKIP() << skip_message; \
    ASSERT_NO_FATAL_FAILURE(use_server());   \
  } while (false)

// ---------------------------------------------------------------------------------------
// Failure modes that need no server.

TEST_F(PostgresDatabase, ReportsUnavailableWhenServerIsDown) {
  loopback_socket s(false);
  const int port = s.port();
  s.close();  // nothing listens there now
  auto db = open_or_die("postgresql://bastion:bastion@127.0.0.1:" + std::to_string(port) + "/x");
  ASSERT_NE(db, nullptr);
  const auto start = clock::now();
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = db->query("SELECT 1");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), db_errc::unavailable);
  }
  EXPECT_FALSE(db->ping());
  EXPECT_EQ(db->execute_script("SELECT 1").error(), db_errc::unavailable);
  EXPECT_LT(clock::now() - start, 2s);
}

TEST_F(PostgresDatabase, BoundsTheWaitOnAnUnresponsiveServer) {
  loopback_socket silent(true);  // accepts TCP connections (backlog) but never answers
  database_options options;
  options.connect_timeout = 300ms;
  auto db = open_or_die("postgresql://bastion:bastion@127.0.0.1:" + std::to_string(silent.port()) +
                            "/x?sslmode=disable",
                        options);
  ASSERT_NE(db, nullptr);
  const auto start = clock::now();
  auto r = db->query("SELECT 1");
  const auto elapsed = clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), db_errc::unavailable);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
}

TEST_F(PostgresDatabase, ChecksParameterCountBeforeConnecting) {
  auto db = open_or_die("postgresql://bastion@127.0.0.1:1/x");
  auto r = db->query("SELECT ? WHERE '?' = ?", std::int64_t{1});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), db_errc::bad_parameters);
}

// ---------------------------------------------------------------------------------------
// Against the real server.

TEST_F(PostgresDatabase, AnswersPing) {
  REQUIRE_POSTGRES_SERVER();
  EXPECT_TRUE(db_->ping());
  EXPECT_EQ(db_->backend(), "postgresql");
}

TEST_F(PostgresDatabase, RoundTripsNullIntegerRealAndText) {
  REQUIRE_POSTGRES_SERVER();
  const struct {
    const char* column;
    value v;
  } cases[] = {
      {"i", std::monostate{}},
      {"i", std::int64_t{0}},
      {"i", std::numeric_limits<std::int64_t>::max()},
      {"i", std::numeric_limits<std::int64_t>::min()},
      {"r", 0.1},
      {"r", -1.25e300},
      {"r", std::monostate{}},
      {"s", std::string()},
      {"s", std::string("ünïcødé 日本語 🙂")},
      {"s", std::string("multi\nline\ttabs\\backslash")},
      {"s", std::monostate{}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.column);
    const std::string column = c.column;
    auto inserted = db_->query(
        "INSERT INTO " + table("items") + " (" + column + ") VALUES (?) RETURNING id", c.v);
    ASSERT_TRUE(inserted.has_value());
    auto read = db_->query("SELECT " + column + " FROM " + table("items") + " WHERE id = ?",
                           inserted->last_insert_id);
    ASSERT_TRUE(read.has_value());
    ASSERT_EQ(read->rows.size(), 1u);
    EXPECT_EQ(read->rows[0].columns[0], c.v);
  }
}

TEST_F(PostgresDatabase, StoresInjectionShapedStringsVerbatim) {
  REQUIRE_POSTGRES_SERVER();
  const std::string cases[] = {
      "'; DROP TABLE " + table("users") + "; --",
      "Robert'); DROP TABLE " + table("posts") + ";--",
      "\" OR \"1\"=\"1",
      "' OR '1'='1",
      "?",
      "$1",
      "$$",
      "$tag$",
      "/* ? */",
      "\\'",
      "E'\\x41'",
      "%_",
      "\n;\r\n",
  };
  for (const auto& s : cases) {
    SCOPED_TRACE(s);
    ASSERT_TRUE(db_->query("INSERT INTO " + table("items") + " (s) VALUES (?)", s));
    auto read = db_->query("SELECT s FROM " + table("items") + " WHERE s = ?", s);
    ASSERT_TRUE(read.has_value());
    ASSERT_EQ(read->rows.size(), 1u);
    EXPECT_EQ(read->rows[0].text(0), s);
  }
  EXPECT_TRUE(db_->query("SELECT count(*) FROM " + table("users")));
  EXPECT_TRUE(db_->query("SELECT count(*) FROM " + table("posts")));
}

TEST_F(PostgresDatabase, ReportsConstraintViolations) {
  REQUIRE_POSTGRES_SERVER();
  ASSERT_TRUE(db_->query("INSERT INTO " + table("users") +
                         " (id, email, age) VALUES (1, 'a@example.com', 30)"));
  const struct {
    const char* name;
    std::string sql;
  } cases[] = {
      {"unique", "INSERT INTO " + table("users") + " (id, email) VALUES (2, 'a@example.com')"},
      {"primary key", "INSERT INTO " + table("users") + " (id, email) VALUES (1, 'b@example.com')"},
      {"not null", "INSERT INTO " + table("users") + " (id, email) VALUES (3, NULL)"},
      {"check",
       "INSERT INTO " + table("users") + " (id, email, age) VALUES (4, 'c@example.com', -1)"},
      {"foreign key", "INSERT INTO " + table("posts") + " (user_id, body) VALUES (999, 'orphan')"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = db_->query(c.sql);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), db_errc::constraint);
  }
  EXPECT_TRUE(db_->ping());  // a failed statement leaves the connection usable
}

TEST_F(PostgresDatabase, RejectsWrongNumberOfParameters) {
  REQUIRE_POSTGRES_SERVER();
  auto too_few = db_->query("SELECT ?, ?", std::int64_t{1});
  ASSERT_FALSE(too_few.has_value());
  EXPECT_EQ(too_few.error(), db_errc::bad_parameters);
  auto too_many = db_->query("SELECT ?", std::int64_t{1}, std::int64_t{2});
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error(), db_errc::bad_parameters);
}

TEST_F(PostgresDatabase, RewritesPlaceholdersButNotInsideLiterals) {
  REQUIRE_POSTGRES_SERVER();
  auto r = db_->query(
      "SELECT '?' AS q, /* ? */ ? AS v, $$?$$ AS d, \"?\".x FROM (SELECT 1 AS x) AS \"?\" -- ?",
      std::string("bound"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->column_names, (std::vector<std::string>{"q", "v", "d", "x"}));
  EXPECT_EQ(r->rows.at(0).text(0), "?");
  EXPECT_EQ(r->rows.at(0).text(1), "bound");
  EXPECT_EQ(r->rows.at(0).text(2), "?");
}

TEST_F(PostgresDatabase, ConvertsColumnsByType) {
  REQUIRE_POSTGRES_SERVER();
  auto r = db_->query(
      "SELECT 1::int2, 2::int4, 3::int8, 1.5::float4, 2.25::float8, 3.5::numeric, 'x'::text, "
      "true, false, NULL::int8, DATE '2024-01-02', 'NaN'::float8");
  ASSERT_TRUE(r.has_value());
  const auto& c = r->rows.at(0).columns;
  ASSERT_EQ(c.size(), 12u);
  EXPECT_EQ(c[0], value(std::int64_t{1}));
  EXPECT_EQ(c[1], value(std::int64_t{2}));
  EXPECT_EQ(c[2], value(std::int64_t{3}));
  EXPECT_EQ(c[3], value(1.5));
  EXPECT_EQ(c[4], value(2.25));
  EXPECT_EQ(c[5], value(3.5));
  EXPECT_EQ(c[6], value(std::string("x")));
  EXPECT_EQ(c[7], value(std::int64_t{1}));
  EXPECT_EQ(c[8], value(std::int64_t{0}));
  EXPECT_EQ(c[9], value(std::monostate{}));
  EXPECT_EQ(c[10], value(std::string("2024-01-02")));
  ASSERT_TRUE(std::holds_alternative<double>(c[11]));
  EXPECT_NE(std::get<double>(c[11]), std::get<double>(c[11]));
}

TEST_F(PostgresDatabase, SendsNumbersWithTheirTypes) {
  REQUIRE_POSTGRES_SERVER();
  auto r = db_->query("SELECT ?, ?, ?, ?", std::int64_t{-42}, 0.5, std::string("7"), value{});
  ASSERT_TRUE(r.has_value());
  const auto& c = r->rows.at(0).columns;
  EXPECT_EQ(c[0], value(std::int64_t{-42}));
  EXPECT_EQ(c[1], value(0.5));
  EXPECT_EQ(c[2], value(std::string("7")));
  EXPECT_EQ(c[3], value(std::monostate{}));
  // Typed integers still compare with, and assign to, narrower integer columns.
  ASSERT_TRUE(db_->query("INSERT INTO " + table("users") + " (email, age) VALUES (?, ?)",
                         std::string("a@example.com"), std::int64_t{30}));
  auto found =
      db_->query("SELECT email FROM " + table("users") + " WHERE age = ?", std::int64_t{30});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->rows.size(), 1u);
}

TEST_F(PostgresDatabase, ReportsReturningIdAndAffectedRows) {
  REQUIRE_POSTGRES_SERVER();
  auto first = db_->query("INSERT INTO " + table("users") + " (email) VALUES (?) RETURNING id",
                          std::string("a@example.com"));
  auto second =
      db_->query("INSERT INTO " + table("users") + " (email) VALUES (?) RETURNING id, email",
                 std::string("b@example.com"));
  ASSERT_TRUE(first && second);
  EXPECT_GT(first->last_insert_id, 0);
  EXPECT_EQ(second->last_insert_id, first->last_insert_id + 1);
  EXPECT_EQ(first->affected_rows, 1);

  auto updated = db_->query("UPDATE " + table("users") + " SET age = ?", std::int64_t{5});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->affected_rows, 2);
  EXPECT_EQ(updated->last_insert_id, 0);

  auto select = db_->query("SELECT id FROM " + table("users"));
  ASSERT_TRUE(select);
  EXPECT_EQ(select->rows.size(), 2u);
  EXPECT_EQ(select->affected_rows, 0);
  EXPECT_EQ(select->last_insert_id, 0);
}

TEST_F(PostgresDatabase, ReturnsQueryFailedForInvalidSql) {
  REQUIRE_POSTGRES_SERVER();
  for (const char* sql : {"SELEC 1", "SELECT * FROM no_such_table_anywhere", "",
                          "SELECT 1; SELECT 2", "SELECT 'abc'::int"}) {
    SCOPED_TRACE(sql);
    auto r = db_->query(sql);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), db_errc::query_failed);
  }
  EXPECT_TRUE(db_->ping());
}

TEST_F(PostgresDatabase, ExecuteScriptRunsSeveralStatementsAndReportsFailures) {
  REQUIRE_POSTGRES_SERVER();
  ASSERT_TRUE(db_->execute_script("INSERT INTO " + table("items") +
                                  " (i) VALUES (1); INSERT INTO " + table("items") +
                                  " (i) VALUES (2);"));
  auto r = db_->query("SELECT count(*) FROM " + table("items"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rows.at(0).integer(0), 2);
  auto failed = db_->execute_script("INSERT INTO " + table("items") + " (i) VALUES (3); NOT SQL;");
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error(), db_errc::query_failed);
  // The script ran as one transaction, so its first INSERT was rolled back too.
  r = db_->query("SELECT count(*) FROM " + table("items"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rows.at(0).integer(0), 2);
}

TEST_F(PostgresDatabase, CancelsStatementsPastTheTimeout) {
  REQUIRE_POSTGRES_SERVER();
  database_options options;
  options.statement_timeout = 200ms;
  auto db = open_or_die(*url_, options);
  const auto start = clock::now();
  auto r = db->query("SELECT pg_sleep(5)");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), db_errc::query_failed);
  EXPECT_LT(clock::now() - start, 3s);
  EXPECT_TRUE(db->ping());
}

TEST_F(PostgresDatabase, WaitsBoundedlyWhenEveryConnectionIsBusy) {
  REQUIRE_POSTGRES_SERVER();
  database_options options;
  options.pool_size = 1;
  options.connect_timeout = 300ms;
  auto db = open_or_die(*url_, options);
  ASSERT_TRUE(db->ping());
  std::thread busy([&] { EXPECT_TRUE(db->query("SELECT pg_sleep(1.5)")); });
  std::this_thread::sleep_for(300ms);
  const auto start = clock::now();
  auto r = db->query("SELECT 1");
  const auto elapsed = clock::now() - start;
  busy.join();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), db_errc::unavailable);
  EXPECT_LT(elapsed, 1s);
  EXPECT_TRUE(db->ping());
}

TEST_F(PostgresDatabase, DoesNotLetATransactionSpanCalls) {
  REQUIRE_POSTGRES_SERVER();
  database_options options;
  options.pool_size = 1;
  auto db = open_or_die(*url_, options);
  // The connection left inside BEGIN is closed (the server rolls back), so the INSERT
  // that follows commits on its own.
  ASSERT_TRUE(db->query("BEGIN"));
  ASSERT_TRUE(db->query("INSERT INTO " + table("items") + " (i) VALUES (1)"));
  auto r = db_->query("SELECT count(*) FROM " + table("items"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rows.at(0).integer(0), 1);
}

TEST_F(PostgresDatabase, ReportsUnavailableWhenPasswordIsWrong) {
  REQUIRE_POSTGRES_SERVER();
  std::string url = *url_;
  const auto at = url.find('@');
  const auto colon = url.rfind(':', at);
  ASSERT_NE(at, std::string::npos);
  url.replace(colon + 1, at - colon - 1, "wrong-password");
  auto db = open_or_die(url);
  auto r = db->query("SELECT 1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), db_errc::unavailable);
}

TEST_F(PostgresDatabase, HandlesConcurrentUseFromEightThreads) {
  REQUIRE_POSTGRES_SERVER();
  ASSERT_TRUE(db_->execute_script("CREATE TABLE " + table("hits") +
                                  " (thread BIGINT, n BIGINT, note TEXT)"));
  constexpr int threads = 8;
  constexpr int per_thread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (!db_->query("INSERT INTO " + table("hits") + " (thread, n, note) VALUES (?, ?, ?)",
                        std::int64_t{t}, std::int64_t{i}, std::string("it's ?"))) {
          ++failures;
        }
        auto r = db_->query("SELECT count(*) FROM " + table("hits") + " WHERE thread = ?",
                            std::int64_t{t});
        if (!r || r->rows.at(0).integer(0) != i + 1) ++failures;
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto total = db_->query("SELECT count(*), count(DISTINCT thread) FROM " + table("hits"));
  ASSERT_TRUE(total);
  EXPECT_EQ(total->rows.at(0).integer(0), threads * per_thread);
  EXPECT_EQ(total->rows.at(0).integer(1), threads);
}

// ---------------------------------------------------------------------------------------
// Restart: a private server, stopped and started by the test script.

std::string run_ctl(const std::string& ctl, const char* command) {
  const std::string line = "BASTION_PG_PORT=25433 BASTION_PG_DIR=/tmp/bastion-pg-restart-test '" +
                           ctl + "' " + command + " 2>&1";
  std::string out;
  if (FILE* p = ::popen(line.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    if (::pclose(p) != 0) ADD_FAILURE() << line << " failed:\n" << out;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const auto last_line = out.rfind('\n');
  return last_line == std::string::npos ? out : out.substr(last_line + 1);
}

TEST_F(PostgresDatabase, ReconnectsAfterServerRestart) {
  const auto ctl = env("BASTION_TEST_POSTGRES_CTL");
  if (!ctl) {
    GTEST_SKIP() << "BASTION_TEST_POSTGRES_CTL is not set; point it at "
                    "scripts/postgres-test-server.sh to run the restart test";
  }
  const std::string url = run_ctl(*ctl, "start");
  ASSERT_EQ(url.rfind("postgresql://", 0), 0u) << url;
  database_options options;
  options.pool_size = 2;
  options.connect_timeout = 1s;
  auto db = open_or_die(url, options);
  ASSERT_TRUE(db->query("SELECT 1"));

  // Restarted while the pool is idle: the stale connection is noticed, not reported.
  run_ctl(*ctl, "stop");
  run_ctl(*ctl, "start");
  auto after_restart = db->query("SELECT 1");
  EXPECT_TRUE(after_restart.has_value()) << after_restart.error().message();

  // Down: calls fail fast with unavailable.
  run_ctl(*ctl, "stop");
  auto down = db->query("SELECT 1");
  ASSERT_FALSE(down.has_value());
  EXPECT_EQ(down.error(), db_errc::unavailable);
  EXPECT_FALSE(db->ping());

  // Back: the next call connects again.
  run_ctl(*ctl, "start");
  EXPECT_TRUE(db->ping());
  EXPECT_TRUE(db->query("SELECT 1"));
  run_ctl(*ctl, "stop");
}

}  // namespace
}  // namespace bastion::db
