// Tests of the redis:// rate-limit storage against real Redis servers. Start one with
//   scripts/redis-test-server.sh start
// and export the URL it prints as BASTION_TEST_REDIS_URL; without it the tests that need a
// server skip. The round-trip and fault tests also run private redis-server processes (on
// free loopback ports) that they stop, freeze and restart: redis-server must be on PATH.
//
// The oracle is the model: src/ratelimit/window_math.hpp, run on the same inputs.
#include "ratelimit/redis_storage.hpp"

#include "ratelimit/window_math.hpp"

#include <arpa/inet.h>
#include "support/loopback_socket.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace bastion::detail {
namespace {

using bastion::testing::loopback_socket;
using bastion::testing::free_loopback_port;

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr rate_strategy all_strategies[] = {rate_strategy::fixed_window, rate_strategy::moving_window,
                                            rate_strategy::sliding_window_counter, rate_strategy::gcra};

// A wall-clock-like base, aligned to the minute; the steps of a sequence are offsets from it.
constexpr std::int64_t t0 = 1'700'000'040'000;

constexpr const char* skip_message =
    "BASTION_TEST_REDIS_URL is not set; run `scripts/redis-test-server.sh start` and export the URL it "
    "prints to run the Redis storage tests";

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

rate_limit limit_of(std::uint64_t amount, std::int64_t seconds) {
  return rate_limit{amount, std::chrono::seconds(seconds), std::to_string(amount) + " per " + std::to_string(seconds) + " s"};
}

std::string show(const hit_result& r) {
  std::ostringstream o;
  o << "{allowed " << r.allowed << ", limit " << r.limit << ", remaining " << r.remaining << ", reset "
    << r.reset_after_ms << ", retry " << r.retry_after_ms << "}";
  return o.str();
}

// The reference: one key's state under each strategy.
struct model {
  fixed_state fixed;
  counter_state counter;
  moving_state moving;
  gcra_state gcra;

  hit_result hit(rate_strategy s, const rate_limit& l, std::uint64_t cost, std::int64_t now) {
    switch (s) {
      case rate_strategy::fixed_window: return fixed_hit(fixed, l, cost, now);
      case rate_strategy::sliding_window_counter: return sliding_counter_hit(counter, l, cost, now);
      case rate_strategy::moving_window: return moving_hit(moving, l, cost, now);
      case rate_strategy::gcra: return gcra_hit(gcra, l, cost, now);
    }
    return {};
  }
};

void expect_same(const hit_result& got, const hit_result& want) {
  EXPECT_EQ(got.allowed, want.allowed);
  EXPECT_EQ(got.limit, want.limit);
  EXPECT_EQ(got.remaining, want.remaining);
  EXPECT_EQ(got.reset_after_ms, want.reset_after_ms);
  EXPECT_EQ(got.retry_after_ms, want.retry_after_ms);
}

// Keys no other test process (or earlier run against a kept server) uses.
std::string unique_key(std::string_view name) {
  static const std::string run = std::to_string(::getpid()) + "." + std::to_string(std::random_device{}());
  static std::atomic<int> n{0};
  return "test:" + run + ":" + std::to_string(++n) + ":" + std::string(name);
}

struct reply_free {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_free>;

// A plain hiredis connection, to look at (and set up) the server beside the storage.
class observer {
 public:
  observer(const std::string& host, int port) {
    ctx_ = redisConnectWithTimeout(host.c_str(), port, timeval{5, 0});
    if (ctx_ == nullptr || ctx_->err) {
      ADD_FAILURE() << "cannot connect to redis at " << host << ":" << port << ": "
                    << (ctx_ ? ctx_->errstr : "out of memory");
      return;
    }
    redisSetTimeout(ctx_, timeval{10, 0});
  }
  ~observer() {
    if (ctx_) redisFree(ctx_);
  }
  observer(const observer&) = delete;
  observer& operator=(const observer&) = delete;

  reply_ptr run(const std::vector<std::string>& args) {
    if (ctx_ == nullptr || ctx_->err) {
      ADD_FAILURE() << "the observer connection is not usable";
      return nullptr;
    }
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lens.data()));
    if (r == nullptr) ADD_FAILURE() << args.front() << ": " << ctx_->errstr;
    return reply_ptr(r);
  }

  long long integer(const std::vector<std::string>& args) {
    auto r = run(args);
    if (!r || r->type != REDIS_REPLY_INTEGER) {
      ADD_FAILURE() << args.front() << " did not answer an integer";
      return -999;
    }
    return r->integer;
  }

  std::string text(const std::vector<std::string>& args) {
    auto r = run(args);
    if (!r || r->str == nullptr) return {};
    return std::string(r->str, r->len);
  }

  std::vector<std::string> strings(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    auto r = run(args);
    if (r && r->type == REDIS_REPLY_ARRAY)
      for (std::size_t i = 0; i < r->elements; ++i) out.emplace_back(r->element[i]->str, r->element[i]->len);
    return out;
  }

  // One INFO: calls per command ("evalsha", "script|load", "hmget", ...) and the counters
  // of INFO stats ("total_reads_processed", ...).
  struct stats {
    std::map<std::string, long long> calls, counters;
  };
  stats info() {
    stats out;
    std::istringstream lines(text({"INFO", "stats", "commandstats"}));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto colon = line.find(':');
      if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
      if (line.starts_with("cmdstat_")) {
        const auto calls = line.find("calls=", colon);
        if (calls != std::string::npos) out.calls[line.substr(8, colon - 8)] = std::stoll(line.substr(calls + 6));
      } else if (std::isdigit(static_cast<unsigned char>(line[colon + 1]))) {
        out.counters[line.substr(0, colon)] = std::stoll(line.substr(colon + 1));
      }
    }
    return out;
  }

 private:
  redisContext* ctx_ = nullptr;
};

long long delta(const std::map<std::string, long long>& before, const std::map<std::string, long long>& after,
                const std::string& name) {
  const auto b = before.find(name);
  const auto a = after.find(name);
  return (a == after.end() ? 0 : a->second) - (b == before.end() ? 0 : b->second);
}

// Commandstats count the commands scripts run too: these are the scripts' own.
bool run_by_scripts(const std::string& name) {
  static const std::set<std::string> names = {"hmget", "hset", "pexpire", "del", "lindex", "lrange", "ltrim",
                                              "llen",  "lset", "rpush",   "pttl", "get",   "set"};
  return names.contains(name);
}

// Commands sent by clients other than EVALSHA and the observer's INFO.
long long other_commands(const observer::stats& before, const observer::stats& after) {
  std::set<std::string> names;
  for (const auto& [name, n] : after.calls) names.insert(name);
  long long total = 0;
  for (const auto& name : names)
    if (name != "evalsha" && name != "info" && !run_by_scripts(name)) total += delta(before.calls, after.calls, name);
  return total;
}

// A private redis-server on a free loopback port, in a temporary directory, no persistence:
// this test's alone, to count its commands or to stop, freeze and restart it.
class scratch_redis {
 public:
  scratch_redis() : port_(free_loopback_port()) {
    char dir[] = "/tmp/bastion-redis-test-XXXXXX";
    if (::mkdtemp(dir) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    dir_ = dir;
  }
  ~scratch_redis() {
    stop(SIGKILL);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  scratch_redis(const scratch_redis&) = delete;
  scratch_redis& operator=(const scratch_redis&) = delete;

  // Starts the server (on the same port every time) and waits until it answers PING.
  bool start() {
    const std::string port = std::to_string(port_);
    const std::string log = dir_ + "/redis.log";
    std::vector<std::string> args = {"redis-server", "--port",    port,  "--bind",        "127.0.0.1", "--save", "",
                                     "--appendonly", "no",        "--dir", dir_,          "--logfile", log,      "--daemonize",
                                     "no"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
      ADD_FAILURE() << "cannot run redis-server (is it installed and on PATH?)";
      return false;
    }
    const auto deadline = steady::now() + 10s;
    while (steady::now() < deadline) {
      if (redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeval{1, 0}); c != nullptr) {
        bool up = false;
        if (!c->err) {
          auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
          up = r != nullptr && r->type == REDIS_REPLY_STATUS;
          if (r) freeReplyObject(r);
        }
        redisFree(c);
        if (up) return true;
      }
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "redis-server on port " << port_ << " did not answer; see " << log;
    return false;
  }

  // Ends the server (SIGTERM: a clean shutdown; SIGKILL: a crash) and reaps it.
  void stop(int sig = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    if (frozen_) ::kill(pid_, SIGCONT);
    frozen_ = false;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  void freeze() {
    ::kill(pid_, SIGSTOP);
    frozen_ = true;
  }
  void thaw() {
    ::kill(pid_, SIGCONT);
    frozen_ = false;
  }

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

 private:
  int port_;
  std::string dir_;
  pid_t pid_ = -1;
  bool frozen_ = false;
};

std::unique_ptr<limit_storage> open_or_fail(const std::string& url, const limit_storage_options& options = {}) {
  auto s = open_limit_storage(url, options);
  if (!s) {
    ADD_FAILURE() << "open_limit_storage(" << url << "): " << s.error().message();
    return nullptr;
  }
  return std::move(*s);
}

hit_result must_hit(limit_storage& st, rate_strategy s, const std::string& key, const rate_limit& l,
                    std::uint64_t cost, std::int64_t now) {
  auto r = st.hit(s, key, l, cost, now);
  if (!r) {
    ADD_FAILURE() << to_string(s) << " hit failed: " << r.error().message();
    return {};
  }
  return *r;
}

// A hit in a sequence: at t0 + at, with a cost; `allowed` (1/0) is the table's own
// expectation, checked on the model so a table that stopped testing a boundary shows.
struct step {
  std::int64_t at;
  std::uint64_t cost;
  int allowed = -1;
};

// ---------------------------------------------------------------------------------------
// URIs and inputs: no server needed.

TEST(RedisStorageUri, ParsesHostPortDatabaseAndCredentials) {
  auto ep = parse_redis_uri("redis://cache.internal");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "cache.internal");
  EXPECT_EQ(ep->port, 6379);
  EXPECT_EQ(ep->db, 0);
  EXPECT_EQ(ep->password, "");

  ep = parse_redis_uri("redis://127.0.0.1:56379/3");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "127.0.0.1");
  EXPECT_EQ(ep->port, 56379);
  EXPECT_EQ(ep->db, 3);

  ep = parse_redis_uri("redis://[::1]:7000/");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "::1");
  EXPECT_EQ(ep->port, 7000);
  EXPECT_EQ(ep->db, 0);

  ep = parse_redis_uri("redis://:s%40cret:x@localhost/2");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->username, "");
  EXPECT_EQ(ep->password, "s@cret:x");
  EXPECT_EQ(ep->host, "localhost");
  EXPECT_EQ(ep->db, 2);

  ep = parse_redis_uri("redis://limiter:pw@10.0.0.5:6380/1");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->username, "limiter");
  EXPECT_EQ(ep->password, "pw");
  EXPECT_EQ(ep->port, 6380);
}

TEST(RedisStorageUri, RefusesMalformedUris) {
  for (const char* uri : {"redis://", "redis://:6379", "redis://host:", "redis://host:0", "redis://host:65536",
                          "redis://host:63a9", "redis://host/x", "redis://host/1/2", "redis://host/-1",
                          "redis://host?db=1", "redis://host#f", "redis://pw@host", "redis://ho st",
                          "redis://[::1", "redis://[::1]x", "redis://:%zz@host", "rediss://host", "redis:/host",
                          "redis://host/1234567890"}) {
    EXPECT_FALSE(parse_redis_uri(uri)) << uri;
    EXPECT_FALSE(open_limit_storage(uri)) << uri;
  }
  auto s = open_limit_storage("redis://127.0.0.1:1/0");  // opening never connects
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)->kind(), "redis");
}

TEST(RedisStorageInputs, OutOfExactRangeIsRefusedBeforeAnyIo) {
  loopback_socket nothing(false);  // the storage must not even try to connect
  auto st = open_or_fail("redis://127.0.0.1:" + std::to_string(nothing.port()) + "/0");
  ASSERT_NE(st, nullptr);
  const auto invalid = boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
  auto r = st->hit(rate_strategy::fixed_window, "k", limit_of(10, 60), 1, -1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), invalid);
  r = st->hit(rate_strategy::sliding_window_counter, "k", limit_of((std::uint64_t{1} << 50) + 1, 60), 1, t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), invalid);
  // GCRA in microseconds: two centuries from 2023 pass 2^53.
  r = st->hit(rate_strategy::gcra, "k", limit_of(10, 200LL * 365 * 86400), 1, t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), invalid);
  // In range: the failure is the connection's.
  r = st->hit(rate_strategy::fixed_window, "k", limit_of(10, 200LL * 365 * 86400), 1, t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), limit_storage_errc::unavailable);
}

// ---------------------------------------------------------------------------------------
// Faults that need no server.

TEST(RedisStorageFaults, NothingListeningFailsFastWithUnavailable) {
  loopback_socket s(false);
  const int port = s.port();
  s.close();  // nothing listens there now
  limit_storage_options o;
  o.timeout = 300ms;
  auto st = open_or_fail("redis://127.0.0.1:" + std::to_string(port) + "/0", o);
  ASSERT_NE(st, nullptr);
  for (auto strategy : all_strategies) {
    const auto start = steady::now();
    auto r = st->hit(strategy, "k", limit_of(10, 60), 1, t0);
    const auto took = steady::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), limit_storage_errc::unavailable) << r.error().message();
    EXPECT_LT(took, 300ms) << "a refused connection is not a timeout";
  }
  EXPECT_FALSE(st->ping());
}

TEST(RedisStorageFaults, SilentServerTimesOutWithinTheTimeout) {
  loopback_socket silent(true);  // the kernel completes the handshake; nobody ever answers
  limit_storage_options o;
  o.timeout = 150ms;
  auto st = open_or_fail("redis://127.0.0.1:" + std::to_string(silent.port()) + "/0", o);
  ASSERT_NE(st, nullptr);
  for (int i = 0; i < 2; ++i) {
    const auto start = steady::now();
    auto r = st->hit(rate_strategy::gcra, "k", limit_of(10, 60), 1, t0);
    const auto took = steady::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), limit_storage_errc::timeout) << r.error().message();
    EXPECT_GE(took, 140ms);
    EXPECT_LT(took, 1000ms);
  }
  const auto start = steady::now();
  EXPECT_FALSE(st->ping());
  EXPECT_LT(steady::now() - start, 1000ms);
}

TEST(RedisStorageFaults, BusyPoolWaitsAtMostTheTimeout) {
  loopback_socket silent(true);
  limit_storage_options o;
  o.timeout = 150ms;
  o.pool_size = 1;
  auto st = open_or_fail("redis://127.0.0.1:" + std::to_string(silent.port()) + "/0", o);
  ASSERT_NE(st, nullptr);
  std::vector<std::thread> threads;
  std::mutex m;
  std::vector<std::pair<boost::system::error_code, steady::duration>> outcomes;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      const auto start = steady::now();
      auto r = st->hit(rate_strategy::fixed_window, "k", limit_of(10, 60), 1, t0);
      std::lock_guard lock(m);
      outcomes.emplace_back(r ? boost::system::error_code{} : r.error(), steady::now() - start);
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(outcomes.size(), 4u);
  for (const auto& [ec, took] : outcomes) {
    EXPECT_EQ(ec, limit_storage_errc::timeout) << ec.message();
    EXPECT_LT(took, 1500ms);  // at most one wait for the pool and one round trip
  }
}

// ---------------------------------------------------------------------------------------
// Against the shared test server.

class RedisStorage : public ::testing::Test {
 protected:
  void use_server() {
    auto ep = parse_redis_uri(*url_);
    ASSERT_TRUE(ep) << "BASTION_TEST_REDIS_URL is not a redis:// URL: " << *url_;
    ep_ = *ep;
    limit_storage_options o;
    o.timeout = 5s;  // a loaded machine must not turn into a failed comparison
    storage_ = open_or_fail(*url_, o);
    ASSERT_NE(storage_, nullptr);
    ASSERT_TRUE(storage_->ping()) << "is the server at BASTION_TEST_REDIS_URL running?";
    observer_ = std::make_unique<observer>(ep_.host, ep_.port);
    if (ep_.db != 0) observer_->run({"SELECT", std::to_string(ep_.db)});
  }

  // Runs `steps` on a fresh key through the storage and through the model, and compares
  // every field of every answer.
  void matches_model(rate_strategy s, const rate_limit& l, const std::vector<step>& steps) {
    model m;
    const auto key = unique_key(to_string(s));
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const auto& st = steps[i];
      SCOPED_TRACE(::testing::Message() << to_string(s) << " " << l.text << ", step " << i << ": t0+" << st.at
                                        << " cost " << st.cost);
      const auto want = m.hit(s, l, st.cost, t0 + st.at);
      if (st.allowed >= 0) {
        ASSERT_EQ(want.allowed, st.allowed == 1) << "the table expects otherwise: " << show(want);
      }
      auto got = storage_->hit(s, key, l, st.cost, t0 + st.at);
      ASSERT_TRUE(got) << got.error().message();
      expect_same(*got, want);
    }
  }

  std::optional<std::string> url_ = env("BASTION_TEST_REDIS_URL");
  redis_endpoint ep_;
  std::unique_ptr<limit_storage> storage_;
  std::unique_ptr<observer> observer_;
};

// Skips the test when no server is configured; otherwise opens a storage and an observer.
#define REQUIRE_REDIS_SERVER()               \
  do {                                       \
    if (!url_) GTEST_SKIP() << skip_message; \
    ASSERT_NO_FATAL_FAILURE(use_server());   \
  } while (false)

// ---- (1) each strategy against the model ------------------------------------------

TEST_F(RedisStorage, FixedWindowMatchesTheModel) {
  REQUIRE_REDIS_SERVER();
  matches_model(rate_strategy::fixed_window, limit_of(5, 1),
                {{0, 1, 1},     {0, 1, 1},     {100, 2, 1},   {200, 1, 1},    // full
                 {300, 1, 0},   {999, 1, 0},                                    // retry 700, then 1
                 {1000, 1, 1},  {1000, 4, 1},  {1000, 0, 1},                    // roll-over; cost 0 fits a full window
                 {1001, 6, 0},  {1500, 5, 0},  {2000, 5, 1},  {2001, 1, 0},    // cost > limit, cost = limit
                 {5500, 3, 1},  {4200, 1, 1},  {5600, 1, 1},  {5600, 4, 1},    // skipped windows, a clock going back
                 {5999, 1, 0},  {6000, 0, 1}});
  matches_model(rate_strategy::fixed_window, limit_of(10, 60),
                {{0, 10, 1}, {59'999, 1, 0}, {60'000, 11, 0}, {60'000, 10, 1}, {119'999, 0, 1}, {120'000, 1, 1}});
}

TEST_F(RedisStorage, SlidingWindowCounterMatchesTheModel) {
  REQUIRE_REDIS_SERVER();
  matches_model(rate_strategy::sliding_window_counter, limit_of(10, 1),
                {{100, 10, 1},  {900, 1, 0},                  // full: retry in the next window (200)
                 {1000, 1, 0},  {1100, 1, 1},  {1100, 1, 0},  // previous weighs 10, then 9
                 {1500, 4, 1},  {1501, 1, 0},  {1999, 1, 1},  // weight rounded up
                 {2000, 3, 1},  {2000, 2, 0},                 // roll-over: previous 6
                 {2000, 11, 0}, {2000, 10, 0},                // cost > limit, cost = limit
                 {4500, 10, 1}, {4500, 0, 1},  {5000, 1, 0},  // an empty window in between
                 {7600, 7, 1},  {7000, 2, 1},  {7700, 4, 0}});
  matches_model(rate_strategy::sliding_window_counter, limit_of(3, 60),
                {{0, 3, 1}, {60'000, 1, 0}, {80'000, 1, 1}, {100'000, 1, 1}, {100'001, 1, 0}, {179'999, 3, 0},
                 {180'000, 3, 1}});
  // A wait target whose fraction of a millisecond is below 1e-6 (999 + 1/1000001 ms): not
  // rounded up, so the hit waits 998 ms within the window (not 999, into the next one).
  matches_model(rate_strategy::sliding_window_counter, limit_of(1'000'001, 1),
                {{0, 1'000'001, 1}, {1001, 1000, 1}, {1001, 998'001, 0}, {1001, 998'000, 0}});
}

TEST_F(RedisStorage, MovingWindowMatchesTheModel) {
  REQUIRE_REDIS_SERVER();
  matches_model(rate_strategy::moving_window, limit_of(5, 1),
                {{0, 1, 1},    {100, 2, 1},   {200, 1, 1},   {300, 2, 0},   // the oldest must leave: retry 700
                 {300, 1, 1},  {400, 1, 0},   {999, 1, 0},   {1000, 1, 1},  // t0's admission leaves at t0+1000
                 {1000, 3, 0}, {1100, 3, 0},  {1200, 3, 1},                 // cost 3: the third oldest decides
                 {1200, 6, 0}, {1200, 0, 1},  {900, 1, 0},                  // cost > limit, cost 0, a clock going back
                 {3000, 2, 1}, {2950, 1, 1},  {3960, 1, 1},  {3960, 2, 0},  // admissions out of time order
                 {4000, 2, 1}, {4000, 3, 0},  {9000, 5, 1},  {9000, 1, 0}});
  matches_model(rate_strategy::moving_window, limit_of(3, 60),
                {{0, 1, 1}, {10'000, 1, 1}, {20'000, 1, 1}, {30'000, 1, 0}, {60'000, 1, 1}, {60'000, 1, 0},
                 {70'001, 2, 0}, {80'001, 2, 1}});
}

TEST_F(RedisStorage, GcraMatchesTheModel) {
  REQUIRE_REDIS_SERVER();
  matches_model(rate_strategy::gcra, limit_of(10, 1),
                {{0, 10, 1},   {0, 1, 0},     {50, 1, 0},    {100, 1, 1},   // a burst of 10, then one per 100 ms
                 {150, 0, 1},  {550, 5, 0},   {600, 5, 1},                  // cost 5 waits for 5 intervals
                 {600, 11, 0}, {600, 10, 0},  {5000, 10, 1}, {4000, 1, 0},  // cost > limit, = limit; idle; clock back
                 {6100, 3, 1}});
  matches_model(rate_strategy::gcra, limit_of(3, 1),  // an interval of 333333 µs: rounding to ms
                {{0, 1, 1}, {0, 1, 1}, {0, 1, 1}, {0, 1, 0}, {333, 1, 0}, {334, 1, 1}, {1000, 2, 1}, {1001, 1, 0}});
}

// Long random sequences, large limits included: every field equal to the model's.
TEST_F(RedisStorage, RandomSequencesMatchTheModel) {
  REQUIRE_REDIS_SERVER();
  std::mt19937_64 rng(20240601);
  auto below = [&](std::uint64_t n) { return n == 0 ? 0 : rng() % n; };
  for (auto s : all_strategies) {
    std::vector<rate_limit> limits = {limit_of(5, 1), limit_of(10, 60), limit_of(300, 3600)};
    if (s != rate_strategy::moving_window)  // the model keeps one deque entry per cost unit
      limits.insert(limits.end(), {limit_of(10'000'000, 30 * 86400), limit_of(1'000'000'000'000, 365 * 86400),
                                   limit_of(999'983, 86400)});
    for (const auto& l : limits) {
      const auto p = period_ms(l);
      std::vector<step> steps;
      std::int64_t at = static_cast<std::int64_t>(below(static_cast<std::uint64_t>(p)));
      for (int i = 0; i < 250; ++i) {
        switch (below(10)) {
          case 0: break;                                                                 // the same ms
          case 1: at += 1; break;
          case 2: at += p - (t0 + at) % p; break;                                        // onto a boundary
          case 3: at += p; break;
          case 4: at += static_cast<std::int64_t>(below(static_cast<std::uint64_t>(3 * p))); break;
          case 5: at = std::max<std::int64_t>(0, at - static_cast<std::int64_t>(below(p / 5 + 1))); break;  // skew
          default: at += static_cast<std::int64_t>(below(static_cast<std::uint64_t>(p / 8 + 1))); break;
        }
        std::uint64_t cost = 1;
        switch (below(10)) {
          case 0: cost = 0; break;
          case 1: cost = l.amount; break;
          case 2: cost = l.amount + 1 + below(l.amount); break;
          case 3:
          case 4: cost = 1 + below(l.amount / 3 + 1); break;
          default: cost = 1 + below(std::max<std::uint64_t>(1, l.amount / 50)); break;
        }
        steps.push_back({at, cost});
      }
      matches_model(s, l, steps);
      if (HasFatalFailure()) return;
    }
  }
}

// The sliding counter's wait within a window is p × (previous − room) / previous, rounded
// up unless its fraction is below 1e-6. The model evaluates that in long double; the script
// evaluates it exactly. The two differ only where the fraction is within the long double's
// error of 1e-6 (a previous count of a million or more and a window of hours); here is such
// a case, which the script answers as the formula says.
TEST_F(RedisStorage, SlidingCounterWaitIsTheExactFormulaWhereTheModelRounds) {
  REQUIRE_REDIS_SERVER();
  const auto l = limit_of(1'000'001, 86400);
  const std::int64_t p = period_ms(l);
  const std::uint64_t previous = 1'000'001, current = 974'537;
  const std::int64_t elapsed = 84'199'913;
  model m;
  const auto key = unique_key("sliding-edge");
  const std::int64_t base = t0 - t0 % p;
  const step steps[] = {{0, previous}, {p + elapsed, current}, {p + elapsed, 1}};
  hit_result want, got;
  for (const auto& st : steps) {
    want = m.hit(rate_strategy::sliding_window_counter, l, st.cost, base + st.at);
    got = must_hit(*storage_, rate_strategy::sliding_window_counter, key, l, st.cost, base + st.at);
  }
  EXPECT_FALSE(got.allowed);
  EXPECT_EQ(got.remaining, want.remaining);
  EXPECT_EQ(got.reset_after_ms, want.reset_after_ms);
  // The formula, in exact integers.
  const std::uint64_t room = l.amount - current - 1;
  const u128 x = static_cast<u128>(p) * (previous - room);
  auto target = static_cast<std::int64_t>(x / previous);
  if (static_cast<u128>(x % previous) * 1'000'000 >= previous) ++target;
  EXPECT_EQ(got.retry_after_ms, target - elapsed);
  EXPECT_EQ(got.retry_after_ms, 86);
  EXPECT_EQ(want.retry_after_ms, 87) << "the model's long double rounding changed; this test documents it";
}

// Limits whose sliding-counter products pass 2^53 (where Lua doubles stop being exact).
TEST_F(RedisStorage, SlidingCounterIsExactPastTwoToThe53) {
  REQUIRE_REDIS_SERVER();
  const auto l = limit_of(1'000'000'000'000, 365 * 86400);  // amount × period ≈ 3.2e22
  const std::int64_t p = period_ms(l);
  const std::int64_t base = p * 54;  // a window start
  model m;
  const auto key = unique_key("sliding-big");
  const std::pair<std::int64_t, std::uint64_t> hits[] = {
      {0, 999'999'999'999}, {p, 1}, {p + 1, 1}, {p + p / 3, 333'333'333'334}, {p + p / 3 + 1, 333'333'333'334},
      {p + p / 3 + 7, 1},   {2 * p - 1, 999'999'999'999}, {2 * p, 2}};
  for (const auto& [at, cost] : hits) {
    SCOPED_TRACE(::testing::Message() << "at " << at << " cost " << cost);
    const auto want = m.hit(rate_strategy::sliding_window_counter, l, cost, base + at);
    const auto got = must_hit(*storage_, rate_strategy::sliding_window_counter, key, l, cost, base + at);
    expect_same(got, want);
  }
}

// A moving window's units are numbered along the key's life; before they reach 2^52 they
// are numbered from 0 again, and the answers do not change. (The model cannot follow: it
// would keep 2^49 deque entries.)
TEST_F(RedisStorage, MovingWindowRenumbersItsUnitsBefore2To52) {
  REQUIRE_REDIS_SERVER();
  const std::uint64_t amount = std::uint64_t{1} << 50, half = amount / 2;
  const auto l = limit_of(amount, 1);
  const auto key = unique_key("moving-renumber");
  // Half the limit every 500 ms: the window always holds the last two admissions, so the
  // list never empties (which would restart the numbering by itself).
  for (int i = 0; i < 12; ++i) {
    SCOPED_TRACE(::testing::Message() << "admission " << i);
    const std::int64_t now = t0 + 500 * i;
    auto r = must_hit(*storage_, rate_strategy::moving_window, key, l, half, now);
    EXPECT_TRUE(r.allowed);
    EXPECT_EQ(r.remaining, i == 0 ? half : 0u);
    EXPECT_EQ(r.reset_after_ms, 1000);
    if (i > 0) {
      r = must_hit(*storage_, rate_strategy::moving_window, key, l, 1, now);
      EXPECT_FALSE(r.allowed);
      EXPECT_EQ(r.retry_after_ms, 500);  // when the previous admission leaves
    }
    const auto entries = observer_->strings({"LRANGE", redis_key(rate_strategy::moving_window, key), "0", "-1"});
    ASSERT_EQ(entries.size(), i == 0 ? 1u : 2u);
    for (const auto& e : entries) {  // "t:b:e"
      const auto b = std::stoull(e.substr(e.find(':') + 1));
      const auto end = std::stoull(e.substr(e.rfind(':') + 1));
      EXPECT_LT(end, std::uint64_t{1} << 52) << e;
      EXPECT_EQ(end - b, half) << e;
    }
  }
}

// ---- keys and what they hold --------------------------------------------------------

TEST_F(RedisStorage, KeysExpireWhenTheirStateStopsMattering) {
  REQUIRE_REDIS_SERVER();
  const auto l = limit_of(10, 1);
  auto pttl = [&](rate_strategy s, const std::string& key) {
    return observer_->integer({"PTTL", redis_key(s, key)});
  };
  // grace = 1000 ms on top; allow for the time the test itself takes.
  auto near = [](long long got, long long want) { return got <= want && got > want - 500; };

  auto key = unique_key("ttl");
  must_hit(*storage_, rate_strategy::fixed_window, key, l, 1, t0 + 200);
  EXPECT_PRED2(near, pttl(rate_strategy::fixed_window, key), 800 + 1000);
  must_hit(*storage_, rate_strategy::sliding_window_counter, key, l, 1, t0 + 200);
  EXPECT_PRED2(near, pttl(rate_strategy::sliding_window_counter, key), 1800 + 1000);
  must_hit(*storage_, rate_strategy::moving_window, key, l, 1, t0 + 200);
  EXPECT_PRED2(near, pttl(rate_strategy::moving_window, key), 1000 + 1000);
  must_hit(*storage_, rate_strategy::gcra, key, l, 3, t0 + 200);  // TAT 300 ms ahead
  EXPECT_PRED2(near, pttl(rate_strategy::gcra, key), 300 + 1000);

  // A refused hit on a new key writes nothing.
  key = unique_key("refused");
  for (auto s : all_strategies) {
    EXPECT_FALSE(must_hit(*storage_, s, key, l, 11, t0).allowed);
    EXPECT_EQ(observer_->integer({"EXISTS", redis_key(s, key)}), 0) << to_string(s);
  }

  // State from a past window (kept for the grace) is dropped by the next hit.
  key = unique_key("stale");
  must_hit(*storage_, rate_strategy::fixed_window, key, l, 1, t0);
  EXPECT_FALSE(must_hit(*storage_, rate_strategy::fixed_window, key, l, 11, t0 + 1000).allowed);
  EXPECT_EQ(observer_->integer({"EXISTS", redis_key(rate_strategy::fixed_window, key)}), 0);
  must_hit(*storage_, rate_strategy::sliding_window_counter, key, l, 1, t0);
  EXPECT_FALSE(must_hit(*storage_, rate_strategy::sliding_window_counter, key, l, 11, t0 + 2000).allowed);
  EXPECT_EQ(observer_->integer({"EXISTS", redis_key(rate_strategy::sliding_window_counter, key)}), 0);
  must_hit(*storage_, rate_strategy::moving_window, key, l, 2, t0);
  must_hit(*storage_, rate_strategy::moving_window, key, l, 2, t0 + 500);
  EXPECT_EQ(observer_->integer({"LLEN", redis_key(rate_strategy::moving_window, key)}), 2);
  EXPECT_FALSE(must_hit(*storage_, rate_strategy::moving_window, key, l, 11, t0 + 1000).allowed);
  EXPECT_EQ(observer_->integer({"LLEN", redis_key(rate_strategy::moving_window, key)}), 1);
  EXPECT_FALSE(must_hit(*storage_, rate_strategy::moving_window, key, l, 11, t0 + 1500).allowed);
  EXPECT_EQ(observer_->integer({"EXISTS", redis_key(rate_strategy::moving_window, key)}), 0);

  // Admissions in one millisecond share one list entry.
  key = unique_key("same-ms");
  for (int i = 0; i < 5; ++i) must_hit(*storage_, rate_strategy::moving_window, key, l, 1, t0 + 7);
  EXPECT_EQ(observer_->integer({"LLEN", redis_key(rate_strategy::moving_window, key)}), 1);

  // A real expiry: a 1-second window's key is gone a little after its window and grace.
  key = unique_key("expires");
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  must_hit(*storage_, rate_strategy::gcra, key, limit_of(1000, 1), 1, now);  // TAT 1 ms ahead
  EXPECT_EQ(observer_->integer({"EXISTS", redis_key(rate_strategy::gcra, key)}), 1);
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(observer_->integer({"EXISTS", redis_key(rate_strategy::gcra, key)}), 0);
}

TEST_F(RedisStorage, KeysAndStrategiesAreSeparate) {
  REQUIRE_REDIS_SERVER();
  const auto l = limit_of(2, 60);
  const auto a = unique_key("a"), b = unique_key("b");
  for (auto s : all_strategies) {
    EXPECT_TRUE(must_hit(*storage_, s, a, l, 2, t0).allowed) << to_string(s);
    EXPECT_FALSE(must_hit(*storage_, s, a, l, 1, t0).allowed) << to_string(s);
    EXPECT_TRUE(must_hit(*storage_, s, b, l, 2, t0).allowed) << to_string(s);
  }
}

TEST_F(RedisStorage, UsesTheDatabaseOfTheUri) {
  REQUIRE_REDIS_SERVER();
  const int db = ep_.db == 5 ? 6 : 5;
  auto st = open_or_fail("redis://" + ep_.host + ":" + std::to_string(ep_.port) + "/" + std::to_string(db));
  ASSERT_NE(st, nullptr);
  const auto key = unique_key("db");
  EXPECT_TRUE(must_hit(*st, rate_strategy::fixed_window, key, limit_of(5, 60), 1, t0).allowed);
  EXPECT_EQ(observer_->integer({"EXISTS", redis_key(rate_strategy::fixed_window, key)}), 0);
  observer_->run({"SELECT", std::to_string(db)});
  EXPECT_EQ(observer_->integer({"EXISTS", redis_key(rate_strategy::fixed_window, key)}), 1);
  observer_->run({"DEL", redis_key(rate_strategy::fixed_window, key)});
  observer_->run({"SELECT", std::to_string(ep_.db)});
}

TEST_F(RedisStorage, AuthenticatesWithTheUriCredentials) {
  REQUIRE_REDIS_SERVER();
  const auto user = "bastion_test_" + std::to_string(::getpid());
  ASSERT_EQ(observer_->text({"ACL", "SETUSER", user, "reset", "on", ">pw%word", "~bastion:rl:*", "+@all"}), "OK");
  const auto where = ep_.host + ":" + std::to_string(ep_.port) + "/" + std::to_string(ep_.db);
  auto good = open_or_fail("redis://" + user + ":pw%25word@" + where);
  ASSERT_NE(good, nullptr);
  EXPECT_TRUE(good->ping());
  EXPECT_TRUE(must_hit(*good, rate_strategy::gcra, unique_key("auth"), limit_of(5, 60), 1, t0).allowed);

  auto bad = open_or_fail("redis://" + user + ":wrong@" + where);
  ASSERT_NE(bad, nullptr);
  EXPECT_FALSE(bad->ping());
  auto r = bad->hit(rate_strategy::gcra, unique_key("auth"), limit_of(5, 60), 1, t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), limit_storage_errc::protocol);
  observer_->run({"ACL", "DELUSER", user});
}

// ---- (2) exactness under concurrency ------------------------------------------------

TEST_F(RedisStorage, SixteenThreadsAdmitExactlyTheLimit) {
  REQUIRE_REDIS_SERVER();
  const auto l = limit_of(500, 3600);
  for (auto s : all_strategies) {
    SCOPED_TRACE(std::string(to_string(s)));
    const auto key = unique_key("hammer");
    std::atomic<int> admitted{0}, failed{0};
    std::mutex m;
    std::multiset<std::uint64_t> remaining;
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 100; ++i) {
          auto r = storage_->hit(s, key, l, 1, t0 + 5);
          if (!r) {
            ++failed;
            continue;
          }
          if (r->allowed) {
            ++admitted;
            std::lock_guard lock(m);
            remaining.insert(r->remaining);
          }
        }
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(admitted.load(), 500);
    // Each admission saw a distinct count: 499 left after the first, ..., 0 after the last.
    std::multiset<std::uint64_t> expected;
    for (std::uint64_t i = 0; i < 500; ++i) expected.insert(i);
    EXPECT_EQ(remaining, expected);
  }
}

TEST_F(RedisStorage, TwoStoragesSharingAKeyAdmitExactlyTheLimitInTotal) {
  REQUIRE_REDIS_SERVER();
  const auto l = limit_of(500, 3600);
  limit_storage_options o;
  o.timeout = 5s;
  auto other = open_or_fail(*url_, o);  // as another process would
  ASSERT_NE(other, nullptr);
  for (auto s : all_strategies) {
    SCOPED_TRACE(std::string(to_string(s)));
    const auto key = unique_key("shared");
    std::atomic<int> admitted{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t)
      threads.emplace_back([&, t] {
        auto& st = t % 2 == 0 ? *storage_ : *other;
        for (int i = 0; i < 80; ++i) {
          auto r = st.hit(s, key, l, 1 + static_cast<std::uint64_t>(i % 2), t0 + 5);  // costs 1 and 2
          if (!r)
            ++failed;
          else if (r->allowed)
            admitted += static_cast<int>(1 + i % 2);
        }
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(admitted.load(), 500);  // units: 1920 asked, every one counted once
    auto last = must_hit(*other, s, key, l, 1, t0 + 5);
    EXPECT_FALSE(last.allowed);
    EXPECT_EQ(last.remaining, 0u);
  }
}

// ---- (3) one round trip per hit -----------------------------------------------------

TEST(RedisStorageRoundTrips, OneCommandPerHit) {
  if (!env("BASTION_TEST_REDIS_URL")) GTEST_SKIP() << skip_message;
  scratch_redis server;  // alone on it: every command it counts is ours
  ASSERT_TRUE(server.start());
  observer obs("127.0.0.1", server.port());
  limit_storage_options o;
  o.timeout = 5s;
  auto st = open_or_fail(server.url(), o);
  ASSERT_NE(st, nullptr);
  const auto l = limit_of(50, 60);

  // A new server has no scripts: the first hit of each strategy is answered NOSCRIPT, loads
  // the script and is sent again.
  auto before = obs.info();
  for (auto s : all_strategies) EXPECT_TRUE(must_hit(*st, s, "warm", l, 1, t0).allowed);
  auto after = obs.info();
  EXPECT_EQ(delta(before.calls, after.calls, "evalsha"), 8);
  EXPECT_EQ(delta(before.calls, after.calls, "script|load"), 4);
  EXPECT_EQ(other_commands(before, after), 4);

  // From then on, one thread: one EVALSHA per hit and nothing else, admitted or refused.
  // On the wire: one request read by the server per hit (plus the observer's INFO).
  before = obs.info();
  int hits = 0;
  for (int i = 0; i < 100; ++i) {
    const auto s = all_strategies[i % 4];
    must_hit(*st, s, "k" + std::to_string(i % 7), l, 1 + static_cast<std::uint64_t>(i % 3) * 20, t0 + 37 * i);
    ++hits;
  }
  after = obs.info();
  EXPECT_EQ(delta(before.calls, after.calls, "evalsha"), hits);
  EXPECT_EQ(other_commands(before, after), 0);
  EXPECT_EQ(delta(before.counters, after.counters, "total_reads_processed"), hits + 1);
  EXPECT_EQ(delta(before.counters, after.counters, "total_connections_received"), 0);

  // Eight threads sharing the pool: the same, and at most the pool's connections opened.
  before = obs.info();
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        if (!st->hit(all_strategies[(t + i) % 4], "t" + std::to_string(t), l, 1, t0 + i)) ++failed;
    });
  for (auto& t : threads) t.join();
  after = obs.info();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(delta(before.calls, after.calls, "evalsha"), 8 * 50);
  EXPECT_EQ(other_commands(before, after), 0);
  EXPECT_LE(delta(before.counters, after.counters, "total_connections_received"), 8);

  // Scripts flushed under a running pool: reloaded on the next hit, which succeeds.
  ASSERT_EQ(obs.text({"SCRIPT", "FLUSH"}), "OK");
  before = obs.info();
  EXPECT_TRUE(st->hit(rate_strategy::gcra, "after-flush", l, 1, t0));
  after = obs.info();
  EXPECT_EQ(delta(before.calls, after.calls, "script|load"), 1);
  EXPECT_EQ(delta(before.calls, after.calls, "evalsha"), 2);
}

// ---- (4) a server that goes away and comes back -------------------------------------

TEST(RedisStorageFaults, StoppedServerFailsFastThenRecoversAfterRestart) {
  if (!env("BASTION_TEST_REDIS_URL")) GTEST_SKIP() << skip_message;
  scratch_redis server;
  ASSERT_TRUE(server.start());
  limit_storage_options o;
  o.timeout = 300ms;
  o.pool_size = 4;
  auto st = open_or_fail(server.url(), o);
  ASSERT_NE(st, nullptr);
  const auto l = limit_of(1000, 3600);

  auto hit_from_threads = [&](int threads, int per_thread) {
    std::atomic<int> ok{0};
    std::mutex m;
    std::vector<boost::system::error_code> errors;
    steady::duration slowest{};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        for (int i = 0; i < per_thread; ++i) {
          const auto start = steady::now();
          auto r = st->hit(rate_strategy::sliding_window_counter, "k", l, 1, t0);
          const auto took = steady::now() - start;
          std::lock_guard lock(m);
          slowest = std::max(slowest, took);
          if (r)
            ++ok;
          else
            errors.push_back(r.error());
        }
      });
    for (auto& t : pool) t.join();
    return std::tuple(ok.load(), errors, slowest);
  };

  // Up, with every pooled connection open.
  auto [ok, errors, slowest] = hit_from_threads(4, 20);
  EXPECT_EQ(ok, 80);
  EXPECT_TRUE(st->ping());

  for (int sig : {SIGTERM, SIGKILL}) {
    SCOPED_TRACE(sig == SIGTERM ? "stopped" : "killed");
    server.stop(sig);
    // Down: every hit fails, quickly, with unavailable; nothing hangs, nothing crashes.
    std::tie(ok, errors, slowest) = hit_from_threads(4, 5);
    EXPECT_EQ(ok, 0);
    EXPECT_EQ(errors.size(), 20u);
    for (const auto& e : errors) EXPECT_EQ(e, limit_storage_errc::unavailable) << e.message();
    EXPECT_LT(slowest, 300ms);
    EXPECT_FALSE(st->ping());

    // Back (empty, without the scripts): the stale connections are replaced unseen and
    // the first hits succeed.
    ASSERT_TRUE(server.start());
    std::tie(ok, errors, slowest) = hit_from_threads(4, 5);
    EXPECT_EQ(ok, 20);
    EXPECT_TRUE(errors.empty());
    EXPECT_TRUE(st->ping());
  }
}

TEST(RedisStorageFaults, FrozenServerTimesOutThenRecovers) {
  if (!env("BASTION_TEST_REDIS_URL")) GTEST_SKIP() << skip_message;
  scratch_redis server;
  ASSERT_TRUE(server.start());
  limit_storage_options o;
  o.timeout = 200ms;
  o.pool_size = 2;
  auto st = open_or_fail(server.url(), o);
  ASSERT_NE(st, nullptr);
  const auto l = limit_of(10, 3600);
  EXPECT_EQ(must_hit(*st, rate_strategy::fixed_window, "k", l, 1, t0).remaining, 9u);

  server.freeze();  // SIGSTOP: connections stay open, nothing answers
  for (int i = 0; i < 2; ++i) {
    const auto start = steady::now();
    auto r = st->hit(rate_strategy::fixed_window, "k", l, 1, t0);
    const auto took = steady::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), limit_storage_errc::timeout) << r.error().message();
    EXPECT_LT(took, 1000ms);
  }
  EXPECT_FALSE(st->ping());
  server.thaw();

  // The timed-out connections were dropped, so no late reply is taken for a new answer.
  // The server ran the hits it had received (a timed-out hit may have counted), so 9, 8 or
  // 7 were left before this one.
  auto r = must_hit(*st, rate_strategy::fixed_window, "k", l, 1, t0);
  EXPECT_TRUE(r.allowed);
  EXPECT_GE(r.remaining, 6u);
  EXPECT_LE(r.remaining, 8u);
  auto next = must_hit(*st, rate_strategy::fixed_window, "k", l, 1, t0);
  EXPECT_EQ(next.remaining + 1, r.remaining);
  EXPECT_TRUE(st->ping());
}

}  // namespace
}  // namespace bastion::detail
