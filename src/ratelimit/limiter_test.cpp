// The limiter as the app runs it (memory storage): who is limited, by how much, and what
// clients are told.
#include <bastion/app/app.hpp>
#include <bastion/ratelimit/limiter.hpp>

#include "support/client.hpp"
#include "support/exchange.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace bastion {
namespace {

using testing::send;
using verb = http::verb;

std::map<std::string, std::string> enabled(std::map<std::string, std::string> extra = {}) {
  extra.try_emplace("RATELIMIT_ENABLED", "true");
  extra.try_emplace("RATELIMIT_DEFAULT", "3 per minute");
  return extra;
}

int count_ok(const app& a, std::string_view path, int n, testing::peer_info peer = {}, testing::header_list h = {}) {
  int ok = 0;
  for (int i = 0; i < n; ++i)
    if (send(a, verb::get, path, h, peer)->res.status() == 200) ++ok;
  return ok;
}

TEST(Limiter, RefusesWith429AndTellsWhen) {
  app a("t", testing::test_config(enabled()));
  a.get("/page", [](request&, response& res) { res.text("ok"); });
  a.get("/api/items", [](request&, response& res) { res.json_raw("[]"); });
  a.freeze();
  for (int i = 0; i < 3; ++i) {
    auto x = send(a, verb::get, "/page");
    EXPECT_EQ(x->res.status(), 200u);
    EXPECT_EQ(x->res.header("X-RateLimit-Limit"), "3");
    EXPECT_EQ(x->res.header("X-RateLimit-Remaining"), std::to_string(2 - i));
  }
  auto x = send(a, verb::get, "/page");
  EXPECT_EQ(x->res.status(), 429u);
  const int retry = std::stoi(std::string(x->res.header("Retry-After")));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);
  EXPECT_EQ(x->res.header("X-RateLimit-Remaining"), "0");
  const auto reset = std::stoll(std::string(x->res.header("X-RateLimit-Reset")));
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(reset, now - 1);
  EXPECT_LE(reset, now + 61);
  EXPECT_NE(x->res.body().find("<h1>"), std::string::npos);  // HTML error page
  // Another route has its own counter; the API answers JSON.
  EXPECT_EQ(count_ok(a, "/api/items", 3), 3);
  x = send(a, verb::get, "/api/items");
  EXPECT_EQ(x->res.status(), 429u);
  EXPECT_EQ(x->json().at("error"), "too many requests");
  // Another client is not affected.
  EXPECT_EQ(send(a, verb::get, "/page", {}, {.address = "198.51.100.20"})->res.status(), 200u);
  EXPECT_EQ(a.limiter().stats().limited, 2u);
}

TEST(Limiter, ProbesExemptRoutesAndConditionsAreNeverCounted) {
  app a("t", testing::test_config(enabled({{"RATELIMIT_DEFAULT", "1 per minute"}})));
  a.get("/free", [](request&, response& res) { res.text("ok"); }, {.rate_limit_exempt = true});
  a.get("/cond", [](request&, response& res) { res.text("ok"); },
        {.rate_limit_rules = {{.limits = "1 per minute",
                               .exempt_when = [](const request& req) { return req.header("x-internal") == "yes"; }}}});
  a.freeze();
  EXPECT_EQ(count_ok(a, "/health", 10), 10);
  EXPECT_EQ(count_ok(a, "/ready", 10), 10);
  EXPECT_EQ(count_ok(a, "/free", 10), 10);
  EXPECT_EQ(count_ok(a, "/cond", 5, {}, {{"X-Internal", "yes"}}), 5);
  EXPECT_EQ(count_ok(a, "/cond", 5), 1);
}

TEST(Limiter, RouteLimitsReplaceDefaultsAndBlueprintsAddTheirs) {
  app a("t", testing::test_config(enabled()));
  a.get("/own", [](request&, response& res) { res.text("ok"); }, {.rate_limits = {"5 per minute"}});
  blueprint api("api", "/api", {.rate_limits = {"2 per minute"}});
  api.get("/x", [](request&, response& res) { res.json_raw("{}"); });
  a.register_blueprint(api);
  a.freeze();
  EXPECT_EQ(count_ok(a, "/own", 10), 5);
  EXPECT_EQ(count_ok(a, "/api/x", 10), 2);
  EXPECT_THROW(
      {
        app bad("t", testing::test_config(enabled()));
        bad.get("/b", [](request&, response& res) { res.text("x"); }, {.rate_limits = {"5 per fortnight"}});
        bad.freeze();
      },
      std::invalid_argument);
}

TEST(Limiter, SharedScopesCostsAndCustomKeys) {
  app a("t", testing::test_config(enabled()));
  const rate_limit_rule shared{.limits = "4 per minute", .scope = "search"};
  a.get("/search/a", [](request&, response& res) { res.text("a"); }, {.rate_limit_rules = {shared}});
  a.get("/search/b", [](request&, response& res) { res.text("b"); }, {.rate_limit_rules = {shared}});
  a.get("/export", [](request&, response& res) { res.text("e"); },
        {.rate_limit_rules = {{.limits = "10 per minute", .cost = 4}}});
  // Two rules: per client and per account named in a header (a form field in real life).
  a.get("/login", [](request&, response& res) { res.text("l"); },
        {.rate_limit_rules = {{.limits = "10 per minute"},
                              {.limits = "2 per minute",
                               .key = [](const request& req) { return std::string(req.header("x-user")); }}}});
  a.freeze();
  EXPECT_EQ(count_ok(a, "/search/a", 2) + count_ok(a, "/search/b", 5), 4);
  EXPECT_EQ(count_ok(a, "/export", 5), 2);  // 4 + 4 fit in 10, the third 4 does not
  // The same account from two addresses shares the account's limit...
  EXPECT_EQ(count_ok(a, "/login", 1, {.address = "198.51.100.1"}, {{"X-User", "alice"}}) +
                count_ok(a, "/login", 3, {.address = "198.51.100.2"}, {{"X-User", "alice"}}),
            2);
  // ...and a request without an account name skips that rule.
  EXPECT_EQ(count_ok(a, "/login", 3, {.address = "198.51.100.3"}), 3);
  // A key with spaces or of any length is hashed, not mangled: "a b" and "a_b" differ.
  EXPECT_EQ(count_ok(a, "/login", 2, {.address = "198.51.100.4"}, {{"X-User", "a b"}}), 2);
  EXPECT_EQ(count_ok(a, "/login", 2, {.address = "198.51.100.5"}, {{"X-User", "a_b"}}), 2);
}

TEST(Limiter, GroupsIpv6ClientsByPrefix) {
  app a("t", testing::test_config(enabled({{"RATELIMIT_DEFAULT", "2 per minute"}})));
  a.get("/p", [](request&, response& res) { res.text("ok"); });
  a.freeze();
  // Rotating addresses inside one /64 does not escape the limit.
  EXPECT_EQ(count_ok(a, "/p", 1, {.address = "2001:db8:1:2::1"}) + count_ok(a, "/p", 1, {.address = "2001:db8:1:2::ffff"}) +
                count_ok(a, "/p", 1, {.address = "2001:db8:1:2:aaaa::9"}),
            2);
  EXPECT_EQ(count_ok(a, "/p", 2, {.address = "2001:db8:1:3::1"}), 2);  // another /64
  request req;
  req.set_peer("2001:db8:1:2:3:4:5:6", false);
  EXPECT_EQ(client_key(req, 64), "2001:db8:1:2::/64");
  EXPECT_EQ(client_key(req, 48), "2001:db8:1::/48");
  EXPECT_EQ(client_key(req, 128), "2001:db8:1:2:3:4:5:6");
  req.set_peer("192.0.2.7", false);
  EXPECT_EQ(client_key(req, 64), "192.0.2.7");
}

TEST(Limiter, IetfHeadersNameEveryPolicy) {
  app a("t", testing::test_config(enabled({{"RATELIMIT_DEFAULT", "5 per minute;100 per day"}, {"RATELIMIT_IETF_HEADERS", "true"}})));
  a.get("/p", [](request&, response& res) { res.text("ok"); });
  a.freeze();
  const auto x = send(a, verb::get, "/p");
  EXPECT_EQ(x->res.header("RateLimit-Policy"), "\"5-per-60s\";q=5;w=60, \"100-per-86400s\";q=100;w=86400");
  EXPECT_NE(x->res.header("RateLimit").find("\"5-per-60s\";r=4;t="), std::string_view::npos) << x->res.header("RateLimit");
  EXPECT_EQ(x->res.header("X-RateLimit-Limit"), "5");  // the tighter of the two
}

TEST(Limiter, OffInTestingUnlessEnabled) {
  app a("t", testing::test_config({{"RATELIMIT_DEFAULT", "1 per minute"}}));
  a.get("/p", [](request&, response& res) { res.text("ok"); });
  a.freeze();
  EXPECT_EQ(count_ok(a, "/p", 5), 5);
  EXPECT_FALSE(send(a, verb::get, "/p")->res.has_header("X-RateLimit-Limit"));
}

TEST(Limiter, AdmitsExactlyNAcrossThreadsOverRealSockets) {
  app a("t", testing::test_config(enabled({{"RATELIMIT_DEFAULT", "100 per hour"}})));
  a.get("/p", [](request&, response& res) { res.text("ok"); });
  testing::test_server srv(a, {.threads = 4});
  std::atomic<int> ok{0}, limited{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        auto r = testing::request(srv.port(), "GET", "/p");
        if (r && r->status == 200) ++ok;
        else if (r && r->status == 429) ++limited;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(limited.load(), 220);
}

}  // namespace
}  // namespace bastion
