// The limiter when its shared storage is down: a real Redis URL where nothing listens
// (connections refused), then a real redis-server started and stopped by the test.
#include <bastion/app/app.hpp>

#include "support/client.hpp"
#include "support/loopback_socket.hpp"
#include "support/exchange.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>


#include <chrono>
#include <cstdlib>
#include <thread>

namespace bastion {
namespace {

using testing::send;
using verb = http::verb;

std::uint16_t free_port() { return testing::free_loopback_port(); }

std::unique_ptr<app> make_app(std::string uri, std::map<std::string, std::string> extra = {}) {
  extra.try_emplace("RATELIMIT_ENABLED", "true");
  extra.try_emplace("RATELIMIT_DEFAULT", "4 per minute");
  extra.try_emplace("RATELIMIT_STORAGE_TIMEOUT", "100ms");
  extra["RATELIMIT_STORAGE_URI"] = std::move(uri);
  auto a = std::make_unique<app>("t", testing::test_config(std::move(extra)));
  a->get("/open", [](request&, response& res) { res.text("ok"); });
  a->post("/login", [](request&, response& res) { res.text("ok"); },
          {.rate_limit_rules = {{.limits = "4 per minute", .fail_open = false}}});
  a->freeze();
  return a;
}

TEST(LimiterFailure, FailsOpenOntoMemoryAndClosedWith503) {
  const auto a = make_app("redis://127.0.0.1:" + std::to_string(free_port()) + "/0", {{"INSTANCES", "2"}});
  const auto t0 = std::chrono::steady_clock::now();
  // Open: counted in this process with the limit split between 2 instances (4 / 2).
  EXPECT_EQ(send(*a, verb::get, "/open")->res.status(), 200u);
  EXPECT_EQ(send(*a, verb::get, "/open")->res.status(), 200u);
  EXPECT_EQ(send(*a, verb::get, "/open")->res.status(), 429u);
  // Closed: 503, nothing served.
  const auto x = send(*a, verb::post, "/login");
  EXPECT_EQ(x->res.status(), 503u);
  EXPECT_EQ(x->res.body().find("ok"), std::string::npos);
  const auto stats = a->limiter().stats();
  EXPECT_GE(stats.fallback_hits, 3u);
  EXPECT_GE(stats.failed_closed, 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));  // refused fast, no hang
}

TEST(LimiterFailure, CircuitStopsCallingADeadStorage) {
  const auto a = make_app("redis://127.0.0.1:" + std::to_string(free_port()) + "/0",
                          {{"RATELIMIT_DEFAULT", "1000 per minute"}, {"RATELIMIT_CIRCUIT_COOLDOWN", "60s"}});
  for (int i = 0; i < 20; ++i) send(*a, verb::get, "/open");
  const auto stats = a->limiter().stats();
  EXPECT_EQ(stats.storage_errors, 3u);  // the circuit opened after 3 failures
  EXPECT_EQ(stats.short_circuited, 17u);
  EXPECT_EQ(stats.circuit_opened, 1u);
}

TEST(LimiterFailure, RecoversWhenTheStorageComesBack) {
  if (std::system("command -v redis-server > /dev/null 2>&1") != 0) GTEST_FAIL() << "redis-server is not installed";
  const auto port = free_port();
  const auto a = make_app("redis://127.0.0.1:" + std::to_string(port) + "/0",
                          {{"RATELIMIT_DEFAULT", "1000 per minute"}, {"RATELIMIT_CIRCUIT_COOLDOWN", "200ms"}});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(send(*a, verb::get, "/open")->res.status(), 200u);  // fail open
  EXPECT_EQ(a->limiter().stats().circuit_opened, 1u);
  const auto dir = "/tmp/bastion-redis-recover-" + std::to_string(port);
  const auto start = "mkdir -p " + dir + " && redis-server --port " + std::to_string(port) +
                     " --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir " + dir + " --pidfile " + dir +
                     "/redis.pid > /dev/null";
  ASSERT_EQ(std::system(start.c_str()), 0);
  struct stopper {
    std::string dir;
    ~stopper() {
      std::system(("kill $(cat " + dir + "/redis.pid) 2> /dev/null; rm -rf " + dir).c_str());
    }
  } stop{dir};
  // After the cooldown one check tries the storage again; from then on hits are counted
  // in Redis, not in the fallback.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool recovered = false;
  while (!recovered && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const auto fallback = a->limiter().stats().fallback_hits;
    EXPECT_EQ(send(*a, verb::get, "/open")->res.status(), 200u);
    recovered = a->limiter().stats().fallback_hits == fallback;
  }
  EXPECT_TRUE(recovered);
  EXPECT_EQ(send(*a, verb::post, "/login")->res.status(), 200u);  // the fail-closed route serves again
}


// A private redis-server on `port`, stopped when this goes out of scope.
struct private_redis {
  std::uint16_t port;
  std::string dir;
  explicit private_redis(std::uint16_t p) : port(p), dir("/tmp/bastion-redis-load-" + std::to_string(p)) { start(); }
  ~private_redis() { std::system(("kill -9 $(cat " + dir + "/redis.pid) 2> /dev/null; rm -rf " + dir).c_str()); }
  void start() {
    const auto cmd = "mkdir -p " + dir + " && redis-server --port " + std::to_string(port) +
                     " --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir " + dir + " --pidfile " + dir +
                     "/redis.pid > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  void kill() { std::system(("kill -9 $(cat " + dir + "/redis.pid) 2> /dev/null; rm -f " + dir + "/redis.pid").c_str()); }
};

TEST(LimiterFailure, RedisKilledAndRestartedUnderLoad) {
  if (std::system("command -v redis-server > /dev/null 2>&1") != 0) GTEST_FAIL() << "redis-server is not installed";
  const auto port = free_port();
  private_redis redis(port);
  app a("t", testing::test_config({{"RATELIMIT_ENABLED", "true"},
                                   {"RATELIMIT_DEFAULT", "1000000 per hour"},
                                   {"RATELIMIT_STORAGE_URI", "redis://127.0.0.1:" + std::to_string(port) + "/0"},
                                   {"RATELIMIT_STORAGE_TIMEOUT", "100ms"},
                                   {"RATELIMIT_CIRCUIT_COOLDOWN", "300ms"}}));
  a.get("/open", [](request&, response& res) { res.text("ok"); });
  a.post("/login", [](request&, response& res) { res.text("ok"); },
         {.rate_limit_rules = {{.limits = "1000000 per hour", .fail_open = false}}});
  testing::test_server srv(a, {.threads = 2});
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0}, other{0}, lost{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t)
    load.emplace_back([&, t] {
      while (!stop) {
        auto r = testing::request(srv.port(), t % 2 ? "POST" : "GET", t % 2 ? "/login" : "/open");
        if (!r) ++lost;
        else if (r->status == 200) ++ok;
        else if (r->status == 503 && t % 2) ++unavailable;  // the fail-closed route
        else ++other;
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  redis.kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  const auto open_during_outage = ok.load();
  redis.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_EQ(other.load(), 0);          // only 200s, and 503s on the fail-closed route
  EXPECT_EQ(lost.load(), 0);           // every request answered
  EXPECT_GT(unavailable.load(), 0);    // login failed closed while Redis was gone
  EXPECT_GT(ok.load(), open_during_outage);  // and everything served again after the restart
  EXPECT_GE(a.limiter().stats().circuit_opened, 1u);
  EXPECT_GT(a.limiter().stats().fallback_hits, 0u);
  const auto after = testing::request(srv.port(), "POST", "/login");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200u);
}

}  // namespace
}  // namespace bastion
