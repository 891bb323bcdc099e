// GET /ready answers from the readiness monitor's last result once it runs, so a slow
// dependency costs the monitor thread, not an event loop.
#include "support/test_server.hpp"

#include <bastion/app/app.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace bastion {
namespace {

using namespace std::chrono_literals;

unsigned get_ready(app& a) {
  request req;
  req.set_start_line(http::verb::get, "GET", "/ready", 11);
  response res;
  a.route_request(req);
  a.handle(req, res);
  return res.status();
}

TEST(ReadinessMonitor, AnswersFromTheLastResultWithoutRunningChecksPerRequest) {
  app a("t", testing::test_config());
  std::atomic<bool> healthy{true};
  std::atomic<int> runs{0};
  a.add_readiness_check("dependency", [&] {
    ++runs;
    return healthy.load();
  });
  a.freeze();
  a.start_readiness_monitor(50ms);
  const int runs_before = runs;
  for (int i = 0; i < 100; ++i) EXPECT_EQ(get_ready(a), 200u);
  EXPECT_LT(runs - runs_before, 100);  // not once per request
  healthy = false;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (get_ready(a) != 503 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(get_ready(a), 503u);
  healthy = true;
  while (get_ready(a) != 200 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(get_ready(a), 200u);
  a.stop_readiness_monitor();
  healthy = false;
  EXPECT_EQ(get_ready(a), 503u);  // inline again once the monitor is gone
}

}  // namespace
}  // namespace bastion
