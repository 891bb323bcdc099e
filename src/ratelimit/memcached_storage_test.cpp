// Tests against a real memcached. Start one with
//   scripts/memcached-test-server.sh start
// and export the URL it prints as BASTION_TEST_MEMCACHED_URL; without it the tests that
// need a server skip (scripts/test.sh always sets it). The restart test runs a private
// memcached (the binary on PATH, or BASTION_TEST_MEMCACHED_BIN) on a free port, so the
// shared one is never stopped under other tests.
//
// The oracle is window_math.hpp: every hit's result must equal the model's on the same
// inputs, field by field.
#include "ratelimit/memcached_storage.hpp"

#include "ratelimit/memory_storage.hpp"
#include "ratelimit/window_math.hpp"

#include <arpa/inet.h>
#include "support/loopback_socket.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace bastion::detail {
namespace {

using bastion::testing::loopback_socket;
int free_port() { return bastion::testing::free_loopback_port(); }

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr rate_strategy all_strategies[] = {rate_strategy::fixed_window, rate_strategy::moving_window,
                                            rate_strategy::sliding_window_counter, rate_strategy::gcra};

constexpr const char* skip_message =
    "BASTION_TEST_MEMCACHED_URL is not set; run `scripts/memcached-test-server.sh start` and "
    "export the URL it prints to run the memcached storage tests";

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

rate_limit limit_of(std::uint64_t amount, std::int64_t seconds) {
  return {amount, std::chrono::seconds(seconds), std::to_string(amount) + " per " + std::to_string(seconds) + " second"};
}

// Keys no other run (or earlier run against the same server) has used.
std::string fresh_key(std::string_view what) {
  static std::atomic<int> counter{0};
  static const auto run = std::random_device{}();
  return "test:" + std::to_string(::getpid()) + ":" + std::to_string(run) + ":" + std::to_string(counter++) + ":" +
         std::string(what);
}

std::unique_ptr<limit_storage> open_or_die(const std::string& url, const limit_storage_options& options = {}) {
  auto s = open_limit_storage(url, options);
  if (!s) {
    ADD_FAILURE() << "open_limit_storage(" << url << ") failed: " << s.error().message();
    return nullptr;
  }
  return std::move(*s);
}

// The reference arithmetic on one key's state.
struct model {
  fixed_state fixed;
  moving_state moving;
  counter_state counter;
  gcra_state gcra;

  hit_result hit(rate_strategy s, const rate_limit& l, std::uint64_t cost, std::int64_t now) {
    switch (s) {
      case rate_strategy::fixed_window: return fixed_hit(fixed, l, cost, now);
      case rate_strategy::moving_window: return moving_hit(moving, l, cost, now);
      case rate_strategy::sliding_window_counter: return sliding_counter_hit(counter, l, cost, now);
      case rate_strategy::gcra: return gcra_hit(gcra, l, cost, now);
    }
    return {};
  }
};

std::string describe(const hit_result& r) {
  std::ostringstream o;
  o << (r.allowed ? "allowed" : "refused") << " limit=" << r.limit << " remaining=" << r.remaining
    << " reset_after=" << r.reset_after_ms << " retry_after=" << r.retry_after_ms;
  return o.str();
}

void expect_same(const hit_result& got, const hit_result& want, const std::string& where) {
  EXPECT_EQ(got.allowed, want.allowed) << where;
  EXPECT_EQ(got.limit, want.limit) << where;
  EXPECT_EQ(got.remaining, want.remaining) << where;
  EXPECT_EQ(got.reset_after_ms, want.reset_after_ms) << where;
  EXPECT_EQ(got.retry_after_ms, want.retry_after_ms) << where;
}

// One request line to the server over a plain socket, for what the storage API does not
// show (an item's remaining lifetime and CAS token, via the meta-get command). Returns the
// first line of the answer.
std::string raw_command(const memcached_address& a, const std::string& line) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(a.port);
  std::string answer;
  if (fd >= 0 && ::inet_pton(AF_INET, a.host.c_str(), &addr.sin_addr) == 1 &&
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = line + "\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char ch;
      while (::recv(fd, &ch, 1, 0) == 1 && ch != '\n') answer += ch;
      if (!answer.empty() && answer.back() == '\r') answer.pop_back();
    }
  }
  if (fd >= 0) ::close(fd);
  return answer;
}

// The integer after " <flag>" in a meta answer such as "HD t9 c12"; nullopt when absent.
std::optional<long long> meta_flag(const std::string& answer, char flag) {
  const auto at = answer.find(std::string(" ") + flag);
  if (at == std::string::npos) return std::nullopt;
  return std::stoll(answer.substr(at + 2));
}

// A private memcached in the foreground, killed with SIGKILL (a crash, not a shutdown).
class memcached_process {
 public:
  explicit memcached_process(int port) : port_(port) {}
  ~memcached_process() { kill(); }
  memcached_process(const memcached_process&) = delete;
  memcached_process& operator=(const memcached_process&) = delete;

  // Starts the server and waits until it answers; false (with a failure recorded) if not.
  bool start() {
    const std::string bin = env("BASTION_TEST_MEMCACHED_BIN").value_or("memcached");
    std::vector<std::string> args = {bin, "-l", "127.0.0.1", "-p", std::to_string(port_), "-U", "0", "-m", "16"};
    if (::geteuid() == 0) {  // memcached refuses root unless told which user to be
      args.emplace_back("-u");
      args.emplace_back("root");
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, bin.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
      ADD_FAILURE() << "could not start " << bin;
      return false;
    }
    const memcached_address a{"127.0.0.1", static_cast<std::uint16_t>(port_)};
    for (const auto deadline = clock::now() + 5s; clock::now() < deadline; std::this_thread::sleep_for(20ms))
      if (raw_command(a, "version").rfind("VERSION", 0) == 0) return true;
    ADD_FAILURE() << bin << " did not answer on port " << port_;
    return false;
  }

  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string url() const { return "memcached://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  pid_t pid_ = -1;
};

class MemcachedStorage : public ::testing::Test {
 protected:
  void use_server() {
    storage_ = open_or_die(*url_);
    ASSERT_NE(storage_, nullptr);
    ASSERT_TRUE(storage_->ping()) << "is the server at BASTION_TEST_MEMCACHED_URL (" << *url_ << ") running?";
    address_ = *parse_memcached_uri(*url_);
  }

  // Runs `steps` (time, cost) on a fresh key for each strategy and compares every result
  // with the model's.
  void expect_model(const rate_limit& l, const std::vector<std::pair<std::int64_t, std::uint64_t>>& steps,
                    const std::string& name) {
    for (auto s : all_strategies) {
      const auto key = fresh_key(name);
      model m;
      for (std::size_t i = 0; i < steps.size(); ++i) {
        const auto [now, cost] = steps[i];
        const auto want = m.hit(s, l, cost, now);
        auto got = storage_->hit(s, key, l, cost, now);
        const auto where = std::string(to_string(s)) + " " + l.text + ", step " + std::to_string(i) + " at " +
                           std::to_string(now) + " cost " + std::to_string(cost) + ": model " + describe(want);
        ASSERT_TRUE(got.has_value()) << where << ": " << got.error().message();
        expect_same(*got, want, where + ", storage " + describe(*got));
      }
    }
  }

  std::optional<std::string> url_ = env("BASTION_TEST_MEMCACHED_URL");
  std::unique_ptr<limit_storage> storage_;
  memcached_address address_;
};

#define REQUIRE_MEMCACHED_SERVER()           \
  do {                                       \
    if (!url_) GTEST_SKIP() << skip_message; \
    ASSERT_NO_FATAL_FAILURE(use_server());   \
  } while (false)

// ---------------------------------------------------------------------------------------
// Opening: no server needed.

TEST_F(MemcachedStorage, ParsesHostAndPort) {
  const struct {
    const char* uri;
    const char* host;
    std::uint16_t port;
  } cases[] = {
      {"memcached://127.0.0.1:51211", "127.0.0.1", 51211},
      {"memcached://cache.internal", "cache.internal", 11211},
      {"memcached://cache-1:11300/", "cache-1", 11300},
      {"memcached://[::1]:11212", "::1", 11212},
      {"memcached://[::1]", "::1", 11211},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.uri);
    const auto a = parse_memcached_uri(c.uri);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->host, c.host);
    EXPECT_EQ(a->port, c.port);
  }
}

TEST_F(MemcachedStorage, RefusesMalformedUris) {
  for (const char* uri : {"memcached://", "memcached://:11211", "memcached://host:", "memcached://host:0",
                          "memcached://host:65536", "memcached://host:abc", "memcached://host:+11211",
                          "memcached://host:11211/0", "memcached://host:11211?timeout=1", "memcached://user@host",
                          "memcached://[::1", "memcached://[]:11211", "memcached://[::1]x", "memcached://ho st",
                          "memcached:/host", "memcached:host:11211"}) {
    SCOPED_TRACE(uri);
    EXPECT_FALSE(parse_memcached_uri(uri).has_value());
    auto s = open_limit_storage(uri);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error(), boost::system::errc::invalid_argument);
  }
}

TEST_F(MemcachedStorage, OpensWithoutReachingTheServer) {
  auto s = open_limit_storage("memcached://127.0.0.1:1");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ((*s)->kind(), "memcached");
}

// ---------------------------------------------------------------------------------------
// Faults: no server needed.

TEST_F(MemcachedStorage, FailsFastWithUnavailableWhenNothingListens) {
  loopback_socket s(false);
  const int port = s.port();
  s.close();  // nothing listens there now
  limit_storage_options options;
  options.timeout = 200ms;
  auto storage = open_or_die("memcached://127.0.0.1:" + std::to_string(port), options);
  ASSERT_NE(storage, nullptr);
  const auto start = clock::now();
  for (int round = 0; round < 3; ++round) {
    for (auto st : all_strategies) {
      auto r = storage->hit(st, "k", limit_of(10, 60), 1, 1000);
      ASSERT_FALSE(r.has_value()) << to_string(st);
      EXPECT_EQ(r.error(), limit_storage_errc::unavailable) << to_string(st) << ": " << r.error().message();
    }
  }
  EXPECT_FALSE(storage->ping());
  EXPECT_LT(clock::now() - start, 1s);
}

TEST_F(MemcachedStorage, BoundsTheWaitOnASilentServer) {
  loopback_socket silent(true);  // accepts TCP connections (backlog) but never answers
  limit_storage_options options;
  options.timeout = 250ms;
  auto storage = open_or_die("memcached://127.0.0.1:" + std::to_string(silent.port()), options);
  ASSERT_NE(storage, nullptr);
  for (auto st : {rate_strategy::fixed_window, rate_strategy::gcra}) {
    const auto start = clock::now();
    auto r = storage->hit(st, "k", limit_of(10, 60), 1, 1000);
    const auto elapsed = clock::now() - start;
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), limit_storage_errc::timeout) << r.error().message();
    EXPECT_GE(elapsed, 200ms);
    EXPECT_LT(elapsed, 2s);
  }
  const auto start = clock::now();
  EXPECT_FALSE(storage->ping());
  EXPECT_LT(clock::now() - start, 2s);
}

TEST_F(MemcachedStorage, RefusesKeysMemcachedCannotHold) {
  auto storage = open_or_die("memcached://127.0.0.1:1");
  ASSERT_NE(storage, nullptr);
  for (const std::string& key : {std::string(), std::string("a b"), std::string("a\nb"), std::string(251, 'k')}) {
    auto r = storage->hit(rate_strategy::fixed_window, key, limit_of(1, 1), 1, 0);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), limit_storage_errc::protocol);
  }
}

// ---------------------------------------------------------------------------------------
// The model, hit by hit, against the real server.

TEST_F(MemcachedStorage, MatchesTheModelAcrossWindowBoundaries) {
  REQUIRE_MEMCACHED_SERVER();
  const std::int64_t t = 1'700'000'000'000;  // a multiple of every period below
  // 5 per 10 s: fill, refuse, cost > 1 and > limit, cost 0, the last millisecond of a window
  // and the first of the next, a skipped window, a partial window.
  expect_model(limit_of(5, 10),
               {{t, 1},         {t, 1},         {t + 1, 2},     {t + 2, 2},     {t + 3, 1},     {t + 3, 1},
                {t + 9'999, 1}, {t + 10'000, 6}, {t + 10'000, 4}, {t + 10'001, 1}, {t + 10'002, 1}, {t + 12'500, 0},
                {t + 14'999, 3}, {t + 15'000, 1}, {t + 19'999, 1}, {t + 20'000, 5}, {t + 20'000, 1}, {t + 27'000, 2},
                {t + 45'000, 1}, {t + 45'000, 5}, {t + 54'999, 2}, {t + 55'000, 3}, {t + 55'001, 3}, {t + 59'000, 5}},
               "boundaries");
  // 1 per second: every hit is at the edge.
  expect_model(limit_of(1, 1),
               {{t, 1}, {t + 1, 1}, {t + 999, 1}, {t + 1'000, 1}, {t + 1'000, 1}, {t + 1'999, 1}, {t + 2'001, 2},
                {t + 2'002, 1}, {t + 5'000, 1}},
               "one-per-second");
  // 100 per hour with large costs: remaining, reset and retry far from zero.
  expect_model(limit_of(100, 3600),
               {{t, 40}, {t + 60'000, 40}, {t + 120'000, 40}, {t + 180'000, 20}, {t + 1'800'000, 101},
                {t + 3'599'999, 1}, {t + 3'600'000, 100}, {t + 3'600'001, 1}, {t + 5'400'000, 30}, {t + 7'300'000, 70}},
               "large-costs");
}

TEST_F(MemcachedStorage, MatchesTheModelOnRandomSequences) {
  REQUIRE_MEMCACHED_SERVER();
  std::mt19937_64 rng(20240611);
  for (const auto& l : {limit_of(6, 2), limit_of(3, 1), limit_of(40, 5)}) {
    std::vector<std::pair<std::int64_t, std::uint64_t>> steps;
    std::int64_t now = 1'700'000'000'000 + static_cast<std::int64_t>(rng() % 10'000);
    for (int i = 0; i < 150; ++i) {
      // Mostly forward, sometimes a burst at one instant, now and then a step back (two
      // callers' clocks a little apart).
      const auto r = rng() % 20;
      now += r == 0 ? -static_cast<std::int64_t>(rng() % 300) : (r < 4 ? 0 : static_cast<std::int64_t>(rng() % 900));
      steps.emplace_back(now, rng() % (l.amount + 3));
    }
    expect_model(l, steps, "random");
  }
}

TEST_F(MemcachedStorage, MatchesTheModelWhenCallersClocksDisagree) {
  REQUIRE_MEMCACHED_SERVER();
  // A refused hit from a caller whose clock is ahead still moves the state on (a new
  // window, expired log entries), as in the model; a caller whose clock is behind then
  // sees that state.
  const std::int64_t t = 1'700'000'000'000;
  expect_model(limit_of(1, 10), {{t, 1}, {t + 10'000, 2}, {t + 5, 1}, {t + 6, 1}}, "skew-one-window");
  expect_model(limit_of(1, 10), {{t, 1}, {t + 20'000, 2}, {t + 5, 1}, {t + 10'005, 1}}, "skew-two-windows");
  expect_model(limit_of(2, 10), {{t + 9'000, 2}, {t + 3'000, 1}, {t + 19'500, 3}, {t + 12'000, 1}, {t + 9'500, 1}},
               "skew-mixed");
}

TEST_F(MemcachedStorage, AKeyReusedByAnotherStrategyStartsAfreshAsInMemory) {
  REQUIRE_MEMCACHED_SERVER();
  auto memory = make_memory_storage(1000);
  const auto key = fresh_key("switch");
  const auto l = limit_of(3, 10);
  std::int64_t now = 1'700'000'000'000;
  const rate_strategy order[] = {rate_strategy::fixed_window, rate_strategy::fixed_window, rate_strategy::gcra,
                                 rate_strategy::moving_window, rate_strategy::moving_window,
                                 rate_strategy::sliding_window_counter, rate_strategy::fixed_window,
                                 rate_strategy::fixed_window, rate_strategy::gcra, rate_strategy::gcra};
  for (auto s : order) {
    now += 700;
    const auto want = memory->hit(s, key, l, 2, now).value();
    auto got = storage_->hit(s, key, l, 2, now);
    ASSERT_TRUE(got.has_value()) << got.error().message();
    expect_same(*got, want, std::string(to_string(s)) + " at " + std::to_string(now));
  }
}

TEST_F(MemcachedStorage, KeepsKeysSeparate) {
  REQUIRE_MEMCACHED_SERVER();
  const auto a = fresh_key("a"), b = fresh_key("b");
  for (auto s : all_strategies) {
    const auto l = limit_of(1, 60);
    EXPECT_TRUE(storage_->hit(s, a + std::string(to_string(s)), l, 1, 1000).value().allowed);
    EXPECT_FALSE(storage_->hit(s, a + std::string(to_string(s)), l, 1, 1000).value().allowed);
    EXPECT_TRUE(storage_->hit(s, b + std::string(to_string(s)), l, 1, 1000).value().allowed);
  }
}

// ---------------------------------------------------------------------------------------
// Item lifetime, read back from the server.

TEST_F(MemcachedStorage, ItemsExpireWhenTheirStateStopsMattering) {
  REQUIRE_MEMCACHED_SERVER();
  const std::int64_t t = 1'700'000'000'000;
  const auto l = limit_of(5, 10);
  // Hit at 2.5 s into a 10 s window, cost 1. The state matters for: fixed, the rest of the
  // window (7.5 s); sliding counter, the rest of this and all of the next (17.5 s); moving,
  // one period after the hit (10 s); GCRA, one emission interval (2 s). Rounded up to whole
  // seconds, plus one for memcached's one-second clock.
  const struct {
    rate_strategy s;
    long long seconds;
  } cases[] = {{rate_strategy::fixed_window, 9},
               {rate_strategy::sliding_window_counter, 19},
               {rate_strategy::moving_window, 11},
               {rate_strategy::gcra, 3}};
  for (const auto& c : cases) {
    SCOPED_TRACE(to_string(c.s));
    // The server's clock may tick between the write and the read (the answer is then one
    // less): a few tries, one of which must read the exact value.
    std::vector<long long> seen;
    for (int attempt = 0; attempt < 3 && (seen.empty() || seen.back() != c.seconds); ++attempt) {
      const auto key = fresh_key("ttl");
      ASSERT_TRUE(storage_->hit(c.s, key, l, 1, t + 2'500).value().allowed);
      const auto ttl = meta_flag(raw_command(address_, "mg " + key + " t"), 't');
      ASSERT_TRUE(ttl.has_value());
      EXPECT_LE(*ttl, c.seconds);
      EXPECT_GE(*ttl, c.seconds - 1);
      seen.push_back(*ttl);
    }
    EXPECT_EQ(seen.back(), c.seconds);
  }
}

TEST_F(MemcachedStorage, WindowsLongerThanAMonthGetAnAbsoluteExpiry) {
  REQUIRE_MEMCACHED_SERVER();
  const auto year = limit_of(1, 365LL * 24 * 3600);
  const std::int64_t t = 365LL * 24 * 3600 * 1000 * 54;  // the start of a window
  const auto key = fresh_key("year");
  ASSERT_TRUE(storage_->hit(rate_strategy::sliding_window_counter, key, year, 1, t).value().allowed);
  const auto ttl = meta_flag(raw_command(address_, "mg " + key + " t"), 't');
  ASSERT_TRUE(ttl.has_value());
  // Two years (this window and the next), not the "already past" a relative value over
  // 30 days would mean, nor "never".
  const long long two_years = 2LL * 365 * 24 * 3600;
  EXPECT_GE(*ttl, two_years - 5);
  EXPECT_LE(*ttl, two_years + 70);
}

TEST_F(MemcachedStorage, AHitThatChangesNothingWritesNothing) {
  REQUIRE_MEMCACHED_SERVER();
  const auto l = limit_of(1, 10);
  for (auto s : all_strategies) {
    SCOPED_TRACE(to_string(s));
    const auto key = fresh_key("nowrite");
    ASSERT_TRUE(storage_->hit(s, key, l, 1, 1'000'000).value().allowed);
    const auto before = meta_flag(raw_command(address_, "mg " + key + " c"), 'c');
    ASSERT_TRUE(before.has_value());
    EXPECT_FALSE(storage_->hit(s, key, l, 1, 1'000'001).value().allowed);
    EXPECT_FALSE(storage_->hit(s, key, l, 5, 1'000'002).value().allowed);
    EXPECT_EQ(meta_flag(raw_command(address_, "mg " + key + " c"), 'c'), before);
  }
  // Refused on a key nobody has: nothing is created.
  const auto key = fresh_key("nowrite-absent");
  EXPECT_FALSE(storage_->hit(rate_strategy::fixed_window, key, l, 2, 1'000'000).value().allowed);
  EXPECT_EQ(raw_command(address_, "mg " + key + " v"), "EN");
}

TEST_F(MemcachedStorage, AMovingWindowKeepsRunsOfEqualTimesCompact) {
  REQUIRE_MEMCACHED_SERVER();
  // A million entries in three instants: the model holds a million timestamps, the item
  // three runs.
  const auto l = limit_of(1'000'000, 3600);
  const auto key = fresh_key("runs");
  model m;
  const std::int64_t t = 1'700'000'000'000;
  for (const auto& [now, cost] : std::vector<std::pair<std::int64_t, std::uint64_t>>{
           {t, 400'000}, {t + 1, 500'000}, {t + 2, 100'000}, {t + 3, 1}, {t + 3'600'000, 400'001}, {t + 3'600'001, 1}}) {
    auto got = storage_->hit(rate_strategy::moving_window, key, l, cost, now);
    ASSERT_TRUE(got.has_value()) << got.error().message();
    expect_same(*got, m.hit(rate_strategy::moving_window, l, cost, now), "at " + std::to_string(now));
  }
  const auto size = meta_flag(raw_command(address_, "mg " + key + " s"), 's');
  ASSERT_TRUE(size.has_value());
  EXPECT_LT(*size, 100);
}

TEST_F(MemcachedStorage, ReportsAnUnreadableItemAsAProtocolError) {
  REQUIRE_MEMCACHED_SERVER();
  const auto l = limit_of(5, 10);
  for (const std::string& value : {std::string("f 1 x"), std::string("f 1"), std::string("f 1 2 3"),
                                   std::string("s 1 2"), std::string("g -"), std::string("m 5 0"),
                                   std::string("m 5 1 7")}) {
    SCOPED_TRACE(value);
    const auto key = fresh_key("garbage");
    ASSERT_EQ(raw_command(address_, "set " + key + " 0 60 " + std::to_string(value.size()) + "\r\n" + value),
              "STORED");
    const auto s = value[0] == 'f'   ? rate_strategy::fixed_window
                   : value[0] == 's' ? rate_strategy::sliding_window_counter
                   : value[0] == 'g' ? rate_strategy::gcra
                                     : rate_strategy::moving_window;
    auto r = storage_->hit(s, key, l, 1, 1'000'000);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), limit_storage_errc::protocol);
    // The connection is still good for the next hit.
    EXPECT_TRUE(storage_->hit(s, fresh_key("after-garbage"), l, 1, 1'000'000).has_value());
  }
}

TEST_F(MemcachedStorage, AnswersPing) {
  REQUIRE_MEMCACHED_SERVER();
  EXPECT_TRUE(storage_->ping());
  EXPECT_EQ(storage_->kind(), "memcached");
}

// ---------------------------------------------------------------------------------------
// Exactness under concurrency: every hit is one atomic step.

constexpr std::uint64_t concurrent_limit = 300;
constexpr int threads = 16;
constexpr int hits_per_thread = 40;  // 640 tries for 300 places

// Hits `key` from `threads` threads (thread i uses storages[i % size]) with the wall clock
// running from the start of a day-long window; returns the number admitted.
int hammer(const std::vector<limit_storage*>& storages, rate_strategy s, const std::string& key,
           std::atomic<int>& errors, std::string& first_error) {
  const auto l = limit_of(concurrent_limit, 24 * 3600);
  const std::int64_t day = 24LL * 3600 * 1000;
  const std::int64_t base = 1'700'000'000'000 / day * day + 1'000;
  const auto start = clock::now();
  std::atomic<int> admitted{0};
  std::mutex m;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < hits_per_thread; ++i) {
        const auto now = base + std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count();
        auto r = storages[static_cast<std::size_t>(t) % storages.size()]->hit(s, key, l, 1, now);
        if (!r) {
          if (errors++ == 0) {
            std::lock_guard lock(m);
            first_error = r.error().message();
          }
        } else if (r->allowed) {
          ++admitted;
        }
      }
    });
  for (auto& th : pool) th.join();
  return admitted.load();
}

TEST_F(MemcachedStorage, AdmitsExactlyNFromSixteenThreads) {
  REQUIRE_MEMCACHED_SERVER();
  for (auto s : all_strategies) {
    SCOPED_TRACE(to_string(s));
    const auto key = fresh_key("concurrent");
    std::atomic<int> errors{0};
    std::string first_error;
    const auto started = clock::now();
    EXPECT_EQ(hammer({storage_.get()}, s, key, errors, first_error), static_cast<int>(concurrent_limit));
    EXPECT_EQ(errors.load(), 0) << first_error;
    std::printf("[          ] %s: %d hits from %d threads in %lld ms\n", std::string(to_string(s)).c_str(),
                threads * hits_per_thread, threads,
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started).count()));
  }
}

TEST_F(MemcachedStorage, TwoStoragesSharingAKeyAdmitExactlyNInTotal) {
  REQUIRE_MEMCACHED_SERVER();
  auto other = open_or_die(*url_);
  ASSERT_NE(other, nullptr);
  for (auto s : all_strategies) {
    SCOPED_TRACE(to_string(s));
    const auto key = fresh_key("shared");
    std::atomic<int> errors{0};
    std::string first_error;
    EXPECT_EQ(hammer({storage_.get(), other.get()}, s, key, errors, first_error), static_cast<int>(concurrent_limit));
    EXPECT_EQ(errors.load(), 0) << first_error;
  }
}

// ---------------------------------------------------------------------------------------
// A server that dies and comes back.

TEST_F(MemcachedStorage, FailsWhileTheServerIsDownAndRecoversAfterARestart) {
  if (!url_) GTEST_SKIP() << skip_message;
  const int port = free_port();
  memcached_process server(port);
  ASSERT_TRUE(server.start());
  limit_storage_options options;
  options.timeout = 200ms;
  options.pool_size = 3;
  auto storage = open_or_die(server.url(), options);
  ASSERT_NE(storage, nullptr);
  const auto l = limit_of(1000, 60);
  const auto key = fresh_key("restart");
  std::int64_t now = 1'700'000'000'000;
  ASSERT_TRUE(storage->hit(rate_strategy::fixed_window, key, l, 1, now).has_value());
  ASSERT_TRUE(storage->ping());

  // Restarted while the pool is idle: the dead connection is noticed and replaced, not
  // reported.
  server.kill();
  ASSERT_TRUE(server.start());
  for (auto s : all_strategies) {
    auto r = storage->hit(s, key + "-idle", l, 1, now);
    EXPECT_TRUE(r.has_value()) << to_string(s) << ": " << r.error().message();
  }

  // Hits in flight from several threads while the server dies and comes back: each one
  // either answers or fails with a storage error, and none hangs.
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0}, failed{0}, other_errors{0};
  std::vector<std::thread> load;
  const auto load_now = now;  // the main thread moves `now` on below
  for (int t = 0; t < 4; ++t)
    load.emplace_back([&, t] {
      while (!stop) {
        auto r = storage->hit(all_strategies[t], key + "-load", l, 1, load_now);
        if (r) {
          ++answered;
        } else {
          ++failed;
          if (r.error() != limit_storage_errc::unavailable && r.error() != limit_storage_errc::timeout) ++other_errors;
          std::this_thread::sleep_for(5ms);
        }
      }
    });
  std::this_thread::sleep_for(200ms);
  server.kill();

  // Down: hits and pings fail, quickly.
  std::this_thread::sleep_for(100ms);
  for (int i = 0; i < 5; ++i) {
    const auto start = clock::now();
    auto r = storage->hit(rate_strategy::fixed_window, key, l, 1, ++now);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), limit_storage_errc::unavailable) << r.error().message();
    EXPECT_LT(clock::now() - start, 500ms);
  }
  EXPECT_FALSE(storage->ping());

  // Back: hits succeed again within a few seconds (a failed connection is retried after
  // a second), on every pooled connection.
  ASSERT_TRUE(server.start());
  const auto restarted = clock::now();
  int in_a_row = 0;
  while (in_a_row < 20 && clock::now() - restarted < 6s) {
    auto r = storage->hit(rate_strategy::fixed_window, key, l, 1, ++now);
    in_a_row = r ? in_a_row + 1 : 0;
    if (!r) std::this_thread::sleep_for(50ms);
  }
  stop = true;
  for (auto& th : load) th.join();
  EXPECT_EQ(in_a_row, 20) << "no recovery within 6 s of the restart";
  EXPECT_TRUE(storage->ping());
  EXPECT_GT(answered.load(), 0);
  EXPECT_GT(failed.load(), 0);
  EXPECT_EQ(other_errors.load(), 0);

  // The restarted server starts empty: the key's count starts again, as the model's would.
  const auto fresh = fresh_key("after-restart");
  model m;
  for (auto s : all_strategies) {
    auto r = storage->hit(s, fresh + std::string(to_string(s)), l, 3, now);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    expect_same(*r, m.hit(s, l, 3, now), std::string(to_string(s)));
  }
}

}  // namespace
}  // namespace bastion::detail
