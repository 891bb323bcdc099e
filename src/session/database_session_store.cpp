#include "session/database_session_store.hpp"

#include <atomic>
#include <chrono>
#include <mutex>

namespace bastion::detail {
namespace {

constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS bastion_sessions (
  key_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  record TEXT NOT NULL,
  expires BIGINT NOT NULL  -- Unix milliseconds
);
CREATE INDEX IF NOT EXISTS bastion_sessions_user ON bastion_sessions (user_id);
CREATE INDEX IF NOT EXISTS bastion_sessions_expires ON bastion_sessions (expires);
)sql";

constexpr std::int64_t sweep_every_ms = 60'000;

// Expiry is kept in Unix milliseconds: a one-second TTL must not end early at a second's edge.
std::int64_t now_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class database_session_store final : public session_store {
 public:
  explicit database_session_store(db::database& db) : db_(db) {}

  boost::system::result<std::optional<session_record>> load(std::string_view key) override {
    if (auto ready = ensure_schema(); !ready) return ready.error();
    auto rows = db_.query("SELECT record FROM bastion_sessions WHERE key_hash = ? AND expires > ?", std::string(key),
                          now_ms());
    if (!rows) return rows.error();
    if (rows->rows.empty()) return std::optional<session_record>{};
    // A row this code did not write (or a damaged one) is no session.
    return session_record_from_json(rows->rows.front().text(0));
  }

  boost::system::result<void> save(std::string_view key, const session_record& r, std::chrono::seconds ttl) override {
    if (auto ready = ensure_schema(); !ready) return ready.error();
    const auto now = now_ms();
    auto done = db_.query(
        "INSERT INTO bastion_sessions (key_hash, user_id, record, expires) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (key_hash) DO UPDATE SET user_id = excluded.user_id, record = excluded.record, "
        "expires = excluded.expires",
        std::string(key), r.user_id, to_json(r), now + std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count());
    if (!done) return done.error();
    sweep(now);
    return {};
  }

  boost::system::result<void> remove(std::string_view key, std::string_view) override {
    if (auto ready = ensure_schema(); !ready) return ready.error();
    auto done = db_.query("DELETE FROM bastion_sessions WHERE key_hash = ?", std::string(key));
    if (!done) return done.error();
    return {};
  }

  boost::system::result<std::vector<std::string>> keys_of_user(std::string_view user_id) override {
    if (auto ready = ensure_schema(); !ready) return ready.error();
    auto rows = db_.query("SELECT key_hash FROM bastion_sessions WHERE user_id = ? AND expires > ?",
                          std::string(user_id), now_ms());
    if (!rows) return rows.error();
    std::vector<std::string> keys;
    for (const auto& row : rows->rows) keys.push_back(row.text(0));
    return keys;
  }

  boost::system::result<std::size_t> remove_user(std::string_view user_id, std::string_view keep) override {
    if (user_id.empty()) return std::size_t{0};  // anonymous sessions belong to nobody
    if (auto ready = ensure_schema(); !ready) return ready.error();
    auto done = db_.query("DELETE FROM bastion_sessions WHERE user_id = ? AND key_hash <> ? AND expires > ?",
                          std::string(user_id), std::string(keep), now_ms());
    if (!done) return done.error();
    return static_cast<std::size_t>(done->affected_rows);
  }

  bool ping() override { return db_.ping() && ensure_schema(); }
  std::string_view kind() const noexcept override { return "database"; }

 private:
  // The table is made on first use, so a database that is down at start only delays it.
  boost::system::result<void> ensure_schema() {
    if (ready_.load(std::memory_order_acquire)) return {};
    std::lock_guard lock(schema_m_);
    if (ready_.load(std::memory_order_relaxed)) return {};
    if (auto made = db_.execute_script(schema); !made) return made.error();
    ready_.store(true, std::memory_order_release);
    return {};
  }

  // At most once a minute, by whichever save comes first: the table holds live sessions
  // plus at most a minute's worth of expired ones. A failed sweep is retried next minute.
  void sweep(std::int64_t now) {
    auto last = last_sweep_.load(std::memory_order_relaxed);
    if (now - last < sweep_every_ms || !last_sweep_.compare_exchange_strong(last, now)) return;
    (void)db_.query("DELETE FROM bastion_sessions WHERE expires <= ?", now);
  }

  db::database& db_;
  std::atomic<bool> ready_{false};
  std::mutex schema_m_;
  std::atomic<std::int64_t> last_sweep_{0};
};

}  // namespace

std::unique_ptr<session_store> make_database_session_store(db::database& db) {
  return std::make_unique<database_session_store>(db);
}

}  // namespace bastion::detail
