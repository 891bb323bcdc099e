#pragma once
// SQLite backend: a small pool of connections, each used by one thread at a time.
//
// Connections are opened on first use, with WAL journaling (readers do not block the
// writer) and foreign keys enforced. A file database gets its parent directory created
// on demand; when that or the open fails, the call reports `unavailable` and the next
// call tries again. An in-memory database lives in a single shared connection, because
// every SQLite connection to ":memory:" would otherwise see a different database.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bastion/db/database.hpp"
#include "bastion/log/log.hpp"
#include "db/connection_pool.hpp"

namespace bastion::db {

class sqlite_database final : public database {
 public:
  // `file` is an absolute path, or empty for a private in-memory database.
  static boost::system::result<std::unique_ptr<database>> open(
      std::optional<std::filesystem::path> file, const database_options& options);

  sqlite_database(std::optional<std::filesystem::path> file, const database_options& options);
  ~sqlite_database() override;
  sqlite_database(const sqlite_database&) = delete;
  sqlite_database& operator=(const sqlite_database&) = delete;

  using database::query;
  boost::system::result<result_set> query(std::string_view sql,
                                          std::span<const value> params) override;
  boost::system::result<void> execute_script(std::string_view sql) override;
  bool ping() noexcept override;
  std::string_view backend() const noexcept override { return "sqlite"; }

 private:
  struct connection;
  class lease;

  boost::system::result<std::unique_ptr<connection>> acquire();
  void release(std::unique_ptr<connection> c);
  boost::system::result<std::unique_ptr<connection>> connect();
  db_errc fail(connection& c, int rc, std::string_view stage, std::string_view sql);

  std::optional<std::filesystem::path> file_;
  std::string name_;  // for logs
  database_options options_;
  std::unique_ptr<connection_pool<connection>> pool_;

  log::rate_limited open_failure_log_{std::chrono::seconds(10)};
};

}  // namespace bastion::db
