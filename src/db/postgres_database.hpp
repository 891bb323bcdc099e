#pragma once
// PostgreSQL backend (libpq): a bounded pool of connections, opened on demand.
//
// Every wait is bounded: connecting by `connect_timeout`, a statement by the server's
// `statement_timeout` (set on each connection) and, should the network stall, by a client
// deadline a little past it; a caller finding every connection busy waits at most
// `connect_timeout`. A connection that broke (server restart, network) is dropped and the
// next call connects again.
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bastion/db/database.hpp"
#include "bastion/log/log.hpp"
#include "db/connection_pool.hpp"

namespace bastion::db {

class postgres_database final : public database {
 public:
  // `url` is a postgresql:// URI; `redacted` is its printable form for logs.
  static boost::system::result<std::unique_ptr<database>> open(const std::string& url,
                                                               std::string redacted,
                                                               const database_options& options);

  postgres_database(std::vector<std::pair<std::string, std::string>> conninfo, std::string redacted,
                    const database_options& options);
  ~postgres_database() override;
  postgres_database(const postgres_database&) = delete;
  postgres_database& operator=(const postgres_database&) = delete;

  using database::query;
  boost::system::result<result_set> query(std::string_view sql,
                                          std::span<const value> params) override;
  boost::system::result<void> execute_script(std::string_view sql) override;
  bool ping() noexcept override;
  std::string_view backend() const noexcept override { return "postgresql"; }

 private:
  struct connection;
  class lease;
  struct outcome;

  boost::system::result<std::unique_ptr<connection>> acquire();
  void release(std::unique_ptr<connection> c);
  boost::system::result<std::unique_ptr<connection>> connect();
  outcome finish(connection& c, std::string_view sql, bool script);
  // Marks the connection broken and logs why; the caller answers db_errc::unavailable.
  void lost(connection& c, std::string_view reason, std::string_view sql);

  std::vector<std::pair<std::string, std::string>> conninfo_;  // libpq keyword/value pairs
  std::string redacted_;
  database_options options_;
  std::unique_ptr<connection_pool<connection>> pool_;

  log::rate_limited connect_failure_log_{std::chrono::seconds(10)};
};

}  // namespace bastion::db
