#pragma once
// Where server-side sessions live, chosen by SESSION_STORE_URI:
//
//   memory://               this process only; sharded, bounded (the oldest sessions go
//                           first when a flood of new ones fills it)
//   redis://host:port/db    shared by every process; each session a key with a TTL, and a
//                           set per user naming that user's sessions
//   database://             the app's database (DATABASE_URL): shared by every process,
//                           for deployments without Redis; a table made on first use
//
// A store never sees a cookie's session id: the session layer hands it the SHA-256 of
// the id (its "key"), so reading the store (or a user's session list) gives nothing that
// could be replayed as a cookie.
#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

namespace db {
class database;
}

struct session_record {
  std::string user_id;        // "" = anonymous
  std::string csrf_secret;    // base64url; "" until the first CSRF token is made
  boost::json::object data;   // the application's values
  std::int64_t created = 0;   // Unix seconds: the absolute timeout counts from here
  std::int64_t last_seen = 0; // Unix seconds: the idle timeout counts from here
};

// The JSON form network stores keep, and back.
std::string to_json(const session_record& r);
std::optional<session_record> session_record_from_json(std::string_view text);

class session_store {
 public:
  virtual ~session_store() = default;
  // The record under `key`, nullopt when there is none (never was, expired, removed).
  virtual boost::system::result<std::optional<session_record>> load(std::string_view key) = 0;
  // Stores `r` under `key` for `ttl`, and lists the key under its user (if any).
  virtual boost::system::result<void> save(std::string_view key, const session_record& r, std::chrono::seconds ttl) = 0;
  // Removes the record (and its entry in `user_id`'s list).
  virtual boost::system::result<void> remove(std::string_view key, std::string_view user_id) = 0;
  // The keys of `user_id`'s sessions (some may have expired since).
  virtual boost::system::result<std::vector<std::string>> keys_of_user(std::string_view user_id) = 0;
  // Removes every session of `user_id` except `keep` (""= none); returns how many went.
  virtual boost::system::result<std::size_t> remove_user(std::string_view user_id, std::string_view keep) = 0;
  // Reachable right now (readiness).
  virtual bool ping() = 0;
  // "memory", "redis", "database".
  virtual std::string_view kind() const noexcept = 0;
};

struct session_store_options {
  std::size_t memory_max_sessions = 100'000;  // memory://: bound on stored sessions
  std::chrono::milliseconds timeout{500};     // redis://: connect and each round trip
  std::size_t pool_size = 8;                  // redis://: connections
  db::database* database = nullptr;           // database://: the app's database (it outlives the store)
};

// Opens the store for `uri`; fails (std::errc::invalid_argument) for an unsupported or
// malformed URI, and for database:// without `options.database`. An unreachable server is not a failure here: operations fail until it answers.
boost::system::result<std::unique_ptr<session_store>> open_session_store(std::string_view uri,
                                                                         const session_store_options& options = {});

}  // namespace bastion
