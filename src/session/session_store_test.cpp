// Every session store behaves the same: the memory store and the database store on SQLite
// always, the Redis store against the real server at BASTION_TEST_REDIS_URL
// (scripts/redis-test-server.sh) and the database store on the real PostgreSQL at
// BASTION_TEST_POSTGRES_URL (scripts/postgres-test-server.sh); CI sets both.
#include <bastion/session/session_store.hpp>

#include <bastion/db/database.hpp>

#include <bastion/util/random.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace bastion {
namespace {

using namespace std::chrono_literals;

session_record record(std::string user, std::int64_t created = 1'800'000'000) {
  session_record r;
  r.user_id = std::move(user);
  r.csrf_secret = "c2VjcmV0";
  r.data["theme"] = "dark";
  r.data["cart"] = boost::json::array{1, 2, 3};
  r.created = created;
  r.last_seen = created + 5;
  return r;
}

class SessionStore : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string uri = GetParam();
    session_store_options options{.memory_max_sessions = 64};
    if (uri == "redis") {
      uri = from_env("BASTION_TEST_REDIS_URL", "scripts/redis-test-server.sh");
      if (uri.empty()) GTEST_SKIP() << skip_because_;
    } else if (uri == "sqlite" || uri == "postgresql") {
      const auto url = uri == "sqlite" ? "sqlite:///" + sqlite_file()
                                       : from_env("BASTION_TEST_POSTGRES_URL", "scripts/postgres-test-server.sh");
      if (url.empty()) GTEST_SKIP() << skip_because_;
      auto db = db::open_database(url);
      ASSERT_TRUE(db) << url;
      db_ = std::move(*db);
      options.database = db_.get();
      uri = "database://";
    }
    auto opened = open_session_store(uri, options);
    ASSERT_TRUE(opened) << uri;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->ping()) << "is the server for " << GetParam() << " running?";
    user_ = "user-" + random_hex(8);  // keys and users unique per test: the servers are shared
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    if (!sqlite_.empty()) std::filesystem::remove(sqlite_);
  }

  // The server's URL from the environment; "" (and a message for the skip) when unset.
  std::string from_env(const char* name, const char* script) {
    const char* v = std::getenv(name);
    if (v && *v) return v;
    skip_because_ = std::string(name) + " is not set; run `" + script + " start` and export it";
    return {};
  }
  std::string sqlite_file() {
    sqlite_ = (std::filesystem::temp_directory_path() / ("bastion-sessions-" + random_hex(8) + ".db")).string();
    return sqlite_;
  }
  std::string key() { return random_hex(32); }

  std::unique_ptr<db::database> db_;
  std::unique_ptr<session_store> store_;
  std::string user_;
  std::string sqlite_;
  std::string skip_because_;
};

TEST_P(SessionStore, SavedRecordsLoadBackWhole) {
  const auto k = key();
  ASSERT_TRUE(store_->save(k, record(user_), 60s));
  auto loaded = store_->load(k);
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(loaded->has_value());
  const auto& r = **loaded;
  EXPECT_EQ(r.user_id, user_);
  EXPECT_EQ(r.csrf_secret, "c2VjcmV0");
  EXPECT_EQ(r.data, record(user_).data);
  EXPECT_EQ(r.created, 1'800'000'000);
  EXPECT_EQ(r.last_seen, 1'800'000'005);
}

TEST_P(SessionStore, UnknownRemovedAndExpiredKeysLoadNothing) {
  auto none = store_->load(key());
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  const auto removed = key();
  ASSERT_TRUE(store_->save(removed, record(user_), 60s));
  ASSERT_TRUE(store_->remove(removed, user_));
  EXPECT_FALSE(store_->load(removed)->has_value());

  const auto expiring = key();
  ASSERT_TRUE(store_->save(expiring, record(""), 1s));
  EXPECT_TRUE(store_->load(expiring)->has_value());
  std::this_thread::sleep_for(1100ms);
  EXPECT_FALSE(store_->load(expiring)->has_value());
}

TEST_P(SessionStore, SavingAgainReplacesTheRecord) {
  const auto k = key();
  ASSERT_TRUE(store_->save(k, record(""), 60s));
  auto r = record(user_);
  r.data["theme"] = "light";
  ASSERT_TRUE(store_->save(k, r, 60s));
  EXPECT_EQ((**store_->load(k)).data.at("theme"), "light");
  EXPECT_EQ((**store_->load(k)).user_id, user_);
}

TEST_P(SessionStore, ListsAndEndsTheSessionsOfOneUser) {
  const auto a = key(), b = key(), c = key(), other = key();
  for (const auto& k : {a, b, c}) ASSERT_TRUE(store_->save(k, record(user_), 60s));
  ASSERT_TRUE(store_->save(other, record(user_ + "-other"), 60s));

  auto keys = store_->keys_of_user(user_);
  ASSERT_TRUE(keys);
  std::sort(keys->begin(), keys->end());
  std::vector<std::string> expected{a, b, c};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*keys, expected);

  auto ended = store_->remove_user(user_, b);  // "end my other sessions"
  ASSERT_TRUE(ended);
  EXPECT_EQ(*ended, 2u);
  EXPECT_FALSE(store_->load(a)->has_value());
  EXPECT_TRUE(store_->load(b)->has_value());
  EXPECT_FALSE(store_->load(c)->has_value());
  EXPECT_TRUE(store_->load(other)->has_value());  // another user's session is untouched
  EXPECT_EQ(*store_->keys_of_user(user_), std::vector<std::string>{b});

  EXPECT_EQ(*store_->remove_user(user_, ""), 1u);  // "password changed": all of them
  EXPECT_FALSE(store_->load(b)->has_value());
  EXPECT_TRUE(store_->keys_of_user(user_)->empty());
}

TEST_P(SessionStore, RemovingOneSessionTakesItOffItsUsersList) {
  const auto a = key(), b = key();
  ASSERT_TRUE(store_->save(a, record(user_), 60s));
  ASSERT_TRUE(store_->save(b, record(user_), 60s));
  ASSERT_TRUE(store_->remove(a, user_));
  EXPECT_EQ(*store_->keys_of_user(user_), std::vector<std::string>{b});
}

INSTANTIATE_TEST_SUITE_P(Stores, SessionStore, ::testing::Values("memory://", "redis", "sqlite", "postgresql"),
                         [](const auto& info) {
                           const std::string p = info.param;
                           return p == "redis" ? "Redis" : p == "sqlite" ? "Sqlite" : p == "postgresql" ? "Postgresql" : "Memory";
                         });

TEST(DatabaseSessionStore, NeedsTheAppsDatabase) { EXPECT_FALSE(open_session_store("database://")); }

TEST(DatabaseSessionStore, RowsItDidNotWriteAreNoSession) {
  const auto path = (std::filesystem::temp_directory_path() / ("bastion-sessions-" + random_hex(8) + ".db")).string();
  auto db = std::move(*db::open_database("sqlite:///" + path));
  auto store = std::move(*open_session_store("database://", {.database = db.get()}));
  const auto k = random_hex(32);
  ASSERT_TRUE(store->save(k, record("7"), 60s));
  ASSERT_TRUE(db->query("UPDATE bastion_sessions SET record = ? WHERE key_hash = ?", std::string("{\"u\":7}"), k));
  auto loaded = store->load(k);
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->has_value());
  store.reset();
  db.reset();
  std::filesystem::remove(path);
}

TEST(MemorySessionStore, AFloodOfNewSessionsStaysWithinTheBoundAndKeepsTheNewest) {
  auto store = std::move(*open_session_store("memory://", {.memory_max_sessions = 64}));
  std::vector<std::string> keys;
  for (int i = 0; i < 2000; ++i) {
    keys.push_back(random_hex(32));
    ASSERT_TRUE(store->save(keys.back(), record(""), std::chrono::seconds(60 + i)));
  }
  std::size_t alive = 0;
  for (const auto& k : keys) alive += store->load(k)->has_value();
  EXPECT_LE(alive, 64u);
  EXPECT_GT(alive, 0u);
  EXPECT_TRUE(store->load(keys.back())->has_value());   // the newest survives
  EXPECT_FALSE(store->load(keys.front())->has_value()); // the soonest to expire went first
}

TEST(SessionStoreUri, RefusesUnsupportedAndMalformedUris) {
  for (const char* uri : {"", "memory", "memcached://127.0.0.1:11211", "redis://", "redis://host:0", "file:///tmp/x"})
    EXPECT_FALSE(open_session_store(uri)) << uri;
}

TEST(SessionRecordJson, RoundTripsAndRefusesForeignRecords) {
  const auto r = record("7");
  const auto back = session_record_from_json(to_json(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->user_id, "7");
  EXPECT_EQ(back->data, r.data);
  for (const char* bad : {"", "[]", "{}", R"({"u":7,"x":"","d":{},"c":1,"l":1})", R"({"u":"","x":"","d":[],"c":1,"l":1})",
                          R"({"u":"","x":"","d":{},"c":"1","l":1})", "{\"u\":"})
    EXPECT_FALSE(session_record_from_json(bad)) << bad;
}

}  // namespace
}  // namespace bastion
