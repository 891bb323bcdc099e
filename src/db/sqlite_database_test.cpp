#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "bastion/db/database.hpp"

namespace bastion::db {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A fresh directory per test, removed afterwards.
class scratch_dir {
 public:
  scratch_dir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("bastion-db-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs the test body in another working directory, restoring the old one afterwards.
class working_directory {
 public:
  explicit working_directory(const fs::path& p) : previous_(fs::current_path()) {
    fs::current_path(p);
  }
  ~working_directory() { fs::current_path(previous_); }
  working_directory(const working_directory&) = delete;
  working_directory& operator=(const working_directory&) = delete;

 private:
  fs::path previous_;
};

std::unique_ptr<database> open_or_die(const std::string& url,
                                      const database_options& options = {}) {
  auto db = open_database(url, options);
  if (!db) {
    ADD_FAILURE() << "open_database failed for " << url << ": " << db.error().message();
    return nullptr;
  }
  return std::move(*db);
}

std::string file_url(const fs::path& absolute) { return "sqlite:///" + absolute.string(); }

// ---------------------------------------------------------------------------------------
// open_database, redact_database_url, row and the error category: no server involved.

TEST(OpenDatabase, AcceptsSupportedUrls) {
  const struct {
    const char* url;
    std::string_view backend;
  } cases[] = {
      {"sqlite://:memory:", "sqlite"},
      {"sqlite:///instance/platform.db", "sqlite"},
      {"sqlite:////tmp/bastion/app.db", "sqlite"},
      {"SQLite:///app.db", "sqlite"},
      {"postgresql://user:secret@localhost:5432/app", "postgresql"},
      {"postgres://localhost/app", "postgresql"},
      {"postgresql://localhost/app?sslmode=disable&connect_timeout=3", "postgresql"},
      {"postgresql://host1:5432,host2:5433/app", "postgresql"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    auto db = open_database(c.url);
    ASSERT_TRUE(db.has_value());
    EXPECT_EQ((*db)->backend(), c.backend);
  }
}

TEST(OpenDatabase, RejectsUrlsItCannotUnderstand) {
  const std::string cases[] = {
      "",
      "platform.db",
      "sqlite:",
      "sqlite://",
      "sqlite:///",
      "sqlite:///instance/",
      "sqlite://host/app.db",
      "sqlite:///app.db?mode=ro",
      std::string("sqlite:///app\0.db", 17),
      "mysql://user@localhost/app",
      "http://localhost/app",
      "://localhost/app",
      "postgresql://localhost/app?no_such_option=1",
  };
  for (const auto& url : cases) {
    SCOPED_TRACE(url);
    auto db = open_database(url);
    ASSERT_FALSE(db.has_value());
    EXPECT_EQ(db.error(), db_errc::invalid_url);
  }
}

TEST(OpenDatabase, DoesNotTouchTheFilesystemUntilFirstUse) {
  scratch_dir dir;
  const auto file = dir.path() / "later" / "app.db";
  auto db = open_or_die(file_url(file));
  ASSERT_NE(db, nullptr);
  EXPECT_FALSE(fs::exists(file.parent_path()));
  EXPECT_TRUE(db->ping());
  EXPECT_TRUE(fs::exists(file));
}

TEST(RedactDatabaseUrl, HidesPasswordsAndNothingElse) {
  const struct {
    const char* url;
    const char* redacted;
  } cases[] = {
      {"postgresql://app:s3cret@db.example:5432/app", "postgresql://app:***@db.example:5432/app"},
      {"postgres://app:p%40ss@db/app", "postgres://app:***@db/app"},
      {"postgresql://app@db/app", "postgresql://app@db/app"},
      {"postgresql://db/app?sslmode=require&password=s3cret",
       "postgresql://db/app?sslmode=require&password=***"},
      {"postgresql://app:s3cret@h1:5432,h2:5433/app", "postgresql://app:***@h1:5432,h2:5433/app"},
      {"postgresql://app:pa/ss@db/app", "postgresql://app:***@db/app"},
      {"postgresql://app:p@ss@db/app", "postgresql://app:***@db/app"},
      {"postgresql://app:s3cret@db/app?Password=x&password=y",
       "postgresql://app:***@db/app?Password=***"},
      {"postgresql://app:s3cret@h1:5432,h2/app?password=x%20y&sslmode=require",
       "postgresql://app:***@h1:5432,h2/app?password=***&sslmode=require"},
      {"postgresql://db:5432/app", "postgresql://db:5432/app"},
      {"sqlite:///instance/platform.db", "sqlite:///instance/platform.db"},
      {"sqlite://:memory:", "sqlite://:memory:"},
      {"", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    EXPECT_EQ(redact_database_url(c.url), c.redacted);
  }
}

TEST(Row, ConvertsColumnsToIntegerAndText) {
  const struct {
    value v;
    std::int64_t integer;
    std::string text;
  } cases[] = {
      {std::monostate{}, 0, ""},
      {std::int64_t{42}, 42, "42"},
      {std::int64_t{-7}, -7, "-7"},
      {2.5, 2, "2.5"},
      {1e300, std::numeric_limits<std::int64_t>::max(), "1e+300"},
      {std::string("123"), 123, "123"},
      {std::string("12abc"), 0, "12abc"},
      {std::string(""), 0, ""},
  };
  for (const auto& c : cases) {
    row r{{c.v}};
    EXPECT_EQ(r.integer(0), c.integer) << r.text(0);
    EXPECT_EQ(r.text(0), c.text);
    EXPECT_EQ(r.is_null(0), std::holds_alternative<std::monostate>(c.v));
  }
}

TEST(DbErrc, ConvertsToErrorCodesWithReadableMessages) {
  const boost::system::error_code ec = db_errc::constraint;
  EXPECT_EQ(ec, db_errc::constraint);
  EXPECT_EQ(&ec.category(), &db_category());
  EXPECT_EQ(ec.message(), "constraint violation");
  EXPECT_EQ(make_error_code(db_errc::unavailable).message(), "database unavailable");
}

// ---------------------------------------------------------------------------------------
// The SQLite backend.

class SqliteDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = open_or_die(file_url(dir_.path() / "test.db"));
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->execute_script(R"sql(
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        age INTEGER CHECK (age >= 0)
      );
      CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        body TEXT
      );
      CREATE TABLE items (id INTEGER PRIMARY KEY, v);
    )sql"));
  }

  scratch_dir dir_;
  std::unique_ptr<database> db_;
};

TEST_F(SqliteDatabase, ReportsItsBackend) { EXPECT_EQ(db_->backend(), "sqlite"); }

TEST_F(SqliteDatabase, RoundTripsNullIntegerRealAndText) {
  const value cases[] = {
      std::monostate{},
      std::int64_t{0},
      std::int64_t{-1},
      std::numeric_limits<std::int64_t>::max(),
      std::numeric_limits<std::int64_t>::min(),
      0.5,
      -1.25e300,
      std::string(),
      std::string("plain"),
      std::string("ünïcødé 日本語 🙂"),
      std::string("nul\0inside", 10),
  };
  for (const auto& v : cases) {
    auto inserted = db_->query("INSERT INTO items (v) VALUES (?)", v);
    ASSERT_TRUE(inserted.has_value());
    auto read = db_->query("SELECT v FROM items WHERE id = ?", inserted->last_insert_id);
    ASSERT_TRUE(read.has_value());
    ASSERT_EQ(read->rows.size(), 1u);
    EXPECT_EQ(read->rows[0].columns[0], v) << "index " << v.index();
  }
}

TEST_F(SqliteDatabase, StoresInjectionShapedStringsVerbatim) {
  const std::string cases[] = {
      "'; DROP TABLE users; --",
      "Robert'); DROP TABLE posts;--",
      "\" OR \"1\"=\"1",
      "' OR '1'='1",
      "?",
      "?1",
      ":name",
      "$1",
      "/* ? */",
      "\\'",
      "%_",
      "\n;\r\n",
  };
  for (const auto& s : cases) {
    SCOPED_TRACE(s);
    auto inserted = db_->query("INSERT INTO items (v) VALUES (?)", s);
    ASSERT_TRUE(inserted.has_value());
    auto read = db_->query("SELECT v FROM items WHERE v = ?", s);
    ASSERT_TRUE(read.has_value());
    ASSERT_EQ(read->rows.size(), 1u);
    EXPECT_EQ(read->rows[0].text(0), s);
  }
  EXPECT_TRUE(db_->query("SELECT count(*) FROM users").has_value());
  EXPECT_TRUE(db_->query("SELECT count(*) FROM posts").has_value());
}

TEST_F(SqliteDatabase, ReportsConstraintViolations) {
  ASSERT_TRUE(db_->query("INSERT INTO users (id, email, age) VALUES (1, 'a@example.com', 30)"));
  const struct {
    const char* name;
    const char* sql;
  } cases[] = {
      {"unique", "INSERT INTO users (email) VALUES ('a@example.com')"},
      {"primary key", "INSERT INTO users (id, email) VALUES (1, 'b@example.com')"},
      {"not null", "INSERT INTO users (email) VALUES (NULL)"},
      {"check", "INSERT INTO users (email, age) VALUES ('c@example.com', -1)"},
      {"foreign key", "INSERT INTO posts (user_id, body) VALUES (999, 'orphan')"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = db_->query(c.sql);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), db_errc::constraint);
  }
}

TEST_F(SqliteDatabase, RejectsWrongNumberOfParameters) {
  auto too_few = db_->query("SELECT ?, ?", std::int64_t{1});
  ASSERT_FALSE(too_few.has_value());
  EXPECT_EQ(too_few.error(), db_errc::bad_parameters);
  auto too_many = db_->query("SELECT ?", std::int64_t{1}, std::int64_t{2});
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error(), db_errc::bad_parameters);
}

TEST_F(SqliteDatabase, BindsAroundQuestionMarksInLiteralsAndComments) {
  auto r = db_->query("SELECT '?' AS q, /* ? */ ? AS v -- ?", std::string("x"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->column_names, (std::vector<std::string>{"q", "v"}));
  EXPECT_EQ(r->rows.at(0).text(0), "?");
  EXPECT_EQ(r->rows.at(0).text(1), "x");
}

TEST_F(SqliteDatabase, ReportsLastInsertIdAndAffectedRows) {
  auto first = db_->query("INSERT INTO users (email) VALUES (?)", std::string("a@example.com"));
  auto second = db_->query("INSERT INTO users (email) VALUES (?)", std::string("b@example.com"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->affected_rows, 1);
  EXPECT_GT(second->last_insert_id, first->last_insert_id);

  auto updated = db_->query("UPDATE users SET age = ?", std::int64_t{5});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->affected_rows, 2);
  EXPECT_EQ(updated->last_insert_id, 0);

  auto none = db_->query("DELETE FROM users WHERE id < 0");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->affected_rows, 0);
}

TEST_F(SqliteDatabase, DoesNotCarryCountersIntoLaterStatements) {
  ASSERT_TRUE(db_->query("INSERT INTO users (email) VALUES ('a@example.com')"));
  auto select = db_->query("SELECT id FROM users");
  ASSERT_TRUE(select);
  EXPECT_EQ(select->affected_rows, 0);
  EXPECT_EQ(select->last_insert_id, 0);
  auto ddl = db_->query("CREATE TABLE extra (x)");
  ASSERT_TRUE(ddl);
  EXPECT_EQ(ddl->affected_rows, 0);
}

TEST_F(SqliteDatabase, ReturnsQueryFailedForInvalidSql) {
  for (const char* sql : {"SELEC 1", "SELECT * FROM missing", "", "  -- nothing\n"}) {
    SCOPED_TRACE(sql);
    auto r = db_->query(sql);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), db_errc::query_failed);
  }
}

TEST_F(SqliteDatabase, RefusesASecondStatementInOneQuery) {
  auto r = db_->query("SELECT 1; DROP TABLE users");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), db_errc::query_failed);
  EXPECT_TRUE(db_->query("SELECT count(*) FROM users"));
  EXPECT_TRUE(db_->query("SELECT 1; -- a trailing comment and semicolon are fine\n"));
}

TEST_F(SqliteDatabase, ExecuteScriptRunsSeveralStatementsAndReportsFailures) {
  ASSERT_TRUE(db_->execute_script(
      "CREATE TABLE a (x); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);"));
  auto r = db_->query("SELECT count(*) FROM a");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rows.at(0).integer(0), 2);
  auto failed = db_->execute_script("INSERT INTO a VALUES (3); NOT SQL;");
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error(), db_errc::query_failed);
}

TEST_F(SqliteDatabase, EnablesWalJournalAndForeignKeys) {
  auto mode = db_->query("PRAGMA journal_mode");
  ASSERT_TRUE(mode);
  EXPECT_EQ(mode->rows.at(0).text(0), "wal");
  auto fk = db_->query("PRAGMA foreign_keys");
  ASSERT_TRUE(fk);
  EXPECT_EQ(fk->rows.at(0).integer(0), 1);
}

TEST_F(SqliteDatabase, DoesNotLetATransactionSpanCalls) {
  // A bare BEGIN is rolled back when its call ends, so the INSERT commits on its own.
  ASSERT_TRUE(db_->query("BEGIN"));
  ASSERT_TRUE(db_->query("INSERT INTO users (email) VALUES ('a@example.com')"));
  auto other = open_or_die(file_url(dir_.path() / "test.db"));
  auto r = other->query("SELECT count(*) FROM users");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rows.at(0).integer(0), 1);
}

TEST_F(SqliteDatabase, InterruptsStatementsPastTheTimeout) {
  database_options options;
  options.statement_timeout = 100ms;
  auto db = open_or_die("sqlite://:memory:", options);
  const auto start = std::chrono::steady_clock::now();
  auto r = db->query(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), db_errc::query_failed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(db->ping());
}

TEST(SqliteDatabasePaths, CreatesMissingInstanceDirectoryForRelativePath) {
  scratch_dir dir;
  working_directory cwd(dir.path());
  auto db = open_or_die("sqlite:///instance/platform.db");
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->query("CREATE TABLE t (x)"));
  EXPECT_TRUE(fs::is_regular_file(dir.path() / "instance" / "platform.db"));
}

TEST(SqliteDatabasePaths, KeepsRelativePathAnchoredWhereItWasOpened) {
  scratch_dir dir;
  std::unique_ptr<database> db;
  {
    working_directory cwd(dir.path());
    db = open_or_die("sqlite:///app.db");
  }
  ASSERT_TRUE(db->ping());
  EXPECT_TRUE(fs::is_regular_file(dir.path() / "app.db"));
}

TEST(SqliteDatabasePaths, OpensAbsolutePath) {
  scratch_dir dir;
  const auto file = dir.path() / "nested" / "abs.db";
  auto db = open_or_die("sqlite:///" + file.string());
  ASSERT_TRUE(db->ping());
  EXPECT_TRUE(fs::is_regular_file(file));
}

TEST(SqliteDatabasePaths, ReturnsUnavailableWhenDirectoryCannotBeCreated) {
  scratch_dir dir;
  // A regular file where a directory must go: even root cannot create the database.
  std::ofstream(dir.path() / "blocker") << "not a directory";
  auto db = open_or_die(file_url(dir.path() / "blocker" / "instance" / "app.db"));
  ASSERT_NE(db, nullptr);
  auto r = db->query("SELECT 1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), db_errc::unavailable);
  EXPECT_FALSE(db->ping());
  EXPECT_EQ(db->execute_script("CREATE TABLE t (x)").error(), db_errc::unavailable);
}

TEST(SqliteDatabasePaths, RecoversWhenPathBecomesWritable) {
  scratch_dir dir;
  std::ofstream(dir.path() / "blocker") << "not a directory";
  auto db = open_or_die(file_url(dir.path() / "blocker" / "app.db"));
  ASSERT_FALSE(db->ping());

  fs::remove(dir.path() / "blocker");
  EXPECT_TRUE(db->ping());
  ASSERT_TRUE(db->query("CREATE TABLE t (x)"));
  EXPECT_TRUE(fs::is_regular_file(dir.path() / "blocker" / "app.db"));
}

TEST(SqliteDatabasePaths, ReturnsUnavailableWhenPathIsADirectory) {
  scratch_dir dir;
  fs::create_directories(dir.path() / "app.db");
  auto db = open_or_die(file_url(dir.path() / "app.db"));
  auto r = db->query("SELECT 1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), db_errc::unavailable);
}

class SqliteConcurrency : public ::testing::TestWithParam<bool> {};

TEST_P(SqliteConcurrency, HandlesConcurrentUseFromEightThreads) {
  scratch_dir dir;
  const bool in_memory = GetParam();
  auto db = open_or_die(in_memory ? "sqlite://:memory:" : file_url(dir.path() / "concurrent.db"));
  ASSERT_TRUE(db->execute_script("CREATE TABLE hits (thread INTEGER, n INTEGER, note TEXT)"));

  constexpr int threads = 8;
  constexpr int per_thread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (!db->query("INSERT INTO hits (thread, n, note) VALUES (?, ?, ?)", std::int64_t{t},
                       std::int64_t{i}, std::string("it's ?"))) {
          ++failures;
        }
        auto r = db->query("SELECT count(*) FROM hits WHERE thread = ?", std::int64_t{t});
        if (!r || r->rows.at(0).integer(0) != i + 1) ++failures;
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto total = db->query("SELECT count(*), count(DISTINCT thread) FROM hits");
  ASSERT_TRUE(total);
  EXPECT_EQ(total->rows.at(0).integer(0), threads * per_thread);
  EXPECT_EQ(total->rows.at(0).integer(1), threads);
}

INSTANTIATE_TEST_SUITE_P(SqliteDatabase, SqliteConcurrency, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InMemory" : "File"; });

}  // namespace
}  // namespace bastion::db

namespace bastion::db {
namespace {

// Statements are prepared once per connection and reused; reuse must never carry
// bindings, results or a stale schema into the next call.
TEST_F(SqliteDatabase, ReusedStatementsStartCleanAndFollowSchemaChanges) {
  ASSERT_TRUE(db_->query("INSERT INTO items (v) VALUES (?)", std::string("first")));
  ASSERT_TRUE(db_->query("INSERT INTO items (v) VALUES (?)", std::string("second")));
  for (int round = 0; round < 3; ++round) {
    auto r = db_->query("SELECT v FROM items WHERE v = ?", std::string(round % 2 ? "second" : "first"));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->rows.size(), 1u);
    EXPECT_EQ(r->rows[0].text(0), round % 2 ? "second" : "first");
  }
  // A statement abandoned half-way (one row read of two) is reset for the next caller.
  auto all = db_->query("SELECT * FROM items ORDER BY id");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->column_names.size(), 2u);
  ASSERT_TRUE(db_->execute_script("ALTER TABLE items ADD COLUMN extra TEXT DEFAULT 'x'"));
  auto widened = db_->query("SELECT * FROM items ORDER BY id");
  ASSERT_TRUE(widened);
  EXPECT_EQ(widened->column_names.size(), 3u);
  EXPECT_EQ(widened->rows.size(), 2u);
}

}  // namespace
}  // namespace bastion::db
