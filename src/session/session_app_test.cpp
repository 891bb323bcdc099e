// Sessions as an app runs them: cookies in, cookies out, through the whole pipeline.
#include <bastion/app/app.hpp>
#include <bastion/session/session.hpp>

#include "support/browser.hpp"
#include "support/session_routes.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

namespace bastion {
namespace {

using testing::browser;
using testing::from_page;
using testing::test_config;
using verb = http::verb;

const std::string key_a(40, 'a');
const std::string key_b(40, 'b');

std::unique_ptr<app> make_app(std::map<std::string, std::string> values = {}) {
  values.try_emplace("SECRET_KEY", key_a);
  values.try_emplace("CSRF_ENABLED", "true");
  auto a = std::make_unique<app>("t", test_config(std::move(values)));
  testing::add_session_routes(*a);
  a->freeze();
  return a;
}

std::string body_of(browser& b, std::string_view target) { return b.send(verb::get, target)->res.body(); }

TEST(Sessions, NothingIsStoredOrSentUntilSomethingIsWritten) {
  const auto a = make_app();
  browser b(*a);
  auto x = b.send(verb::get, "/get");
  EXPECT_EQ(x->res.body(), "none");
  EXPECT_FALSE(x->res.has_header("Set-Cookie"));
  x = b.send(verb::get, "/set/blue");
  const auto cookie = std::string(x->res.header("Set-Cookie"));
  EXPECT_TRUE(cookie.starts_with("session=")) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(cookie.find("Max-Age"), std::string::npos);  // a browser-session cookie; the store ends it on time
  EXPECT_EQ(body_of(b, "/get"), "blue");
  // An unchanged session sends no new cookie.
  EXPECT_FALSE(b.send(verb::get, "/get")->res.has_header("Set-Cookie"));
}

TEST(Sessions, SecureCookiesTakeTheHostPrefix) {
  const auto a = make_app({{"SESSION_COOKIE_SECURE", "true"}});
  browser b(*a, {.tls = true});
  const auto cookie = std::string(b.send(verb::get, "/set/x")->res.header("Set-Cookie"));
  EXPECT_TRUE(cookie.starts_with("__Host-session=")) << cookie;
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
  EXPECT_NE(cookie.find("Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Domain"), std::string::npos);
  EXPECT_EQ(body_of(b, "/get"), "x");
}

TEST(Sessions, BadCookiesGiveAnAnonymousSessionAndAreDeleted) {
  const auto a = make_app();
  browser victim(*a);
  victim.send(verb::post, "/login/7", from_page);
  const auto good = victim.cookies.at("session");
  std::string flipped = good;
  flipped[5] = flipped[5] == 'A' ? 'B' : 'A';
  struct row {
    const char* name;
    std::string value;
  };
  const row rows[] = {
      {"Tampered", flipped},
      {"Truncated", good.substr(0, good.size() - 3)},
      {"IdOnly", good.substr(0, good.find('.'))},
      {"Garbage", "not-a-session"},
      {"Empty", ""},
      {"ForeignKey", "x." + std::string(8, '0') + "." + std::string(43, 'A')},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    browser b(*a);
    b.cookies["session"] = r.value;
    auto x = b.send(verb::get, "/whoami");
    EXPECT_EQ(x->res.status(), 200u);
    EXPECT_EQ(x->res.body(), "anonymous");
    if (!r.value.empty()) { EXPECT_NE(x->res.header("Set-Cookie").find("Max-Age=0"), std::string_view::npos); }
  }
  EXPECT_EQ(body_of(victim, "/whoami"), "7");  // the real session is untouched
}

TEST(Sessions, LoginChangesTheIdSoAPlantedCookieIsWorthless) {
  const auto a = make_app();
  browser b(*a);
  b.send(verb::get, "/set/cart");
  const auto before = b.cookies.at("session");
  browser attacker(*a);
  attacker.cookies["session"] = before;  // fixation: the attacker knows the pre-login id
  b.send(verb::post, "/login/7", from_page);
  const auto after = b.cookies.at("session");
  EXPECT_NE(before, after);
  EXPECT_EQ(body_of(b, "/whoami"), "7");
  EXPECT_EQ(body_of(b, "/get"), "cart");  // values set before the login are kept
  EXPECT_EQ(body_of(attacker, "/whoami"), "anonymous");
}

TEST(Sessions, LogoutEndsTheSessionOnTheServerSoAReplayedCookieIsAnonymous) {
  const auto a = make_app();
  browser b(*a);
  b.send(verb::post, "/login/7", from_page);
  const auto stolen = b.cookies.at("session");
  auto x = b.send(verb::post, "/logout", from_page);
  EXPECT_NE(x->res.header("Set-Cookie").find("Max-Age=0"), std::string_view::npos);
  EXPECT_FALSE(b.cookies.contains("session"));
  browser replay(*a);
  replay.cookies["session"] = stolen;
  EXPECT_EQ(body_of(replay, "/whoami"), "anonymous");
}

TEST(Sessions, IdleSessionsExpire) {
  const auto a = make_app({{"SESSION_IDLE_TIMEOUT", "1s"}});
  browser b(*a);
  b.send(verb::post, "/login/7", from_page);
  EXPECT_EQ(body_of(b, "/whoami"), "7");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(body_of(b, "/whoami"), "anonymous");
}

TEST(Sessions, OldSessionsExpireHoweverActive) {
  const auto a = make_app({{"SESSION_IDLE_TIMEOUT", "1s"}, {"SESSION_ABSOLUTE_TIMEOUT", "2s"}});
  browser b(*a);
  b.send(verb::post, "/login/7", from_page);
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    b.send(verb::get, "/set/busy");  // keeps it from going idle
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(body_of(b, "/whoami"), "anonymous");
}

TEST(Sessions, KeyRotationKeepsOldCookiesAndSignsNewOnesWithTheNewKey) {
  // The apps share one Redis store, as a deployment before and after the rotation would.
  auto store_url = std::getenv("BASTION_TEST_REDIS_URL");
  if (!store_url || !*store_url) GTEST_SKIP() << "BASTION_TEST_REDIS_URL is not set (scripts/redis-test-server.sh)";
  const auto old_app = make_app({{"SECRET_KEY", key_a}, {"SESSION_STORE_URI", store_url}});
  const auto new_app = make_app({{"SECRET_KEY", key_b}, {"SECRET_KEY_FALLBACKS", key_a}, {"SESSION_STORE_URI", store_url}});
  const auto only_new = make_app({{"SECRET_KEY", key_b}, {"SESSION_STORE_URI", store_url}});
  browser b(*old_app);
  b.send(verb::post, "/login/7", from_page);
  const auto old_cookie = b.cookies.at("session");

  browser rotated(*new_app);
  rotated.cookies = b.cookies;
  EXPECT_EQ(body_of(rotated, "/whoami"), "7");  // still valid after the rotation
  rotated.send(verb::post, "/login/8", from_page);
  const auto new_cookie = rotated.cookies.at("session");
  EXPECT_NE(new_cookie.find("." + key_ring(key_b).key_id() + "."), std::string::npos);

  browser strict(*only_new);
  strict.cookies["session"] = old_cookie;
  EXPECT_EQ(body_of(strict, "/whoami"), "anonymous");  // once the fallback is dropped
  strict.cookies["session"] = new_cookie;
  EXPECT_EQ(body_of(strict, "/whoami"), "8");
}

TEST(Sessions, RedisStoreKeepsSessionsAcrossProcessesAndEndsThemEverywhere) {
  auto store_url = std::getenv("BASTION_TEST_REDIS_URL");
  if (!store_url || !*store_url) GTEST_SKIP() << "BASTION_TEST_REDIS_URL is not set (scripts/redis-test-server.sh)";
  const auto one = make_app({{"SESSION_STORE_URI", store_url}});
  const auto two = make_app({{"SESSION_STORE_URI", store_url}});
  const std::string user = "redis-user-" + std::to_string(std::rand());
  browser laptop(*one), phone(*two);
  laptop.send(verb::post, "/login/" + user, from_page);
  phone.send(verb::post, "/login/" + user, from_page);
  browser laptop_on_two(*two);
  laptop_on_two.cookies = laptop.cookies;
  EXPECT_EQ(body_of(laptop_on_two, "/whoami"), user);  // any process knows the session

  auto listed = two->sessions().sessions_of(user);
  EXPECT_EQ(listed.size(), 2u);
  // A password change on process one ends both sessions, the other process's included.
  EXPECT_EQ(one->sessions().end_user_sessions(user), std::optional<std::size_t>(2));
  EXPECT_EQ(body_of(phone, "/whoami"), "anonymous");
  EXPECT_EQ(body_of(laptop, "/whoami"), "anonymous");
}

TEST(Sessions, UsersListAndEndTheirOwnSessions) {
  const auto a = make_app();
  browser laptop(*a), phone(*a), other(*a);
  laptop.send(verb::post, "/login/7", from_page);
  phone.send(verb::post, "/login/7", from_page);
  other.send(verb::post, "/login/8", from_page);
  auto listed = a->sessions().sessions_of("7");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(a->sessions().sessions_of("8").size(), 1u);
  EXPECT_FALSE(a->sessions().end_session("8", listed[0].handle));  // not yours
  EXPECT_TRUE(a->sessions().end_session("7", listed[0].handle));
  const int alive = (body_of(laptop, "/whoami") == "7") + (body_of(phone, "/whoami") == "7");
  EXPECT_EQ(alive, 1);
  EXPECT_EQ(a->sessions().end_user_sessions("7"), std::optional<std::size_t>(1));
  EXPECT_EQ(body_of(laptop, "/whoami"), "anonymous");
  EXPECT_EQ(body_of(phone, "/whoami"), "anonymous");
  EXPECT_EQ(body_of(other, "/whoami"), "8");
}

TEST(Sessions, RequestsWithAnAuthorizationHeaderIgnoreCookies) {
  const auto a = make_app();
  browser b(*a);
  b.send(verb::post, "/login/7", from_page);
  auto x = b.send(verb::get, "/whoami", {{"Authorization", "Bearer whatever"}});
  EXPECT_EQ(x->res.body(), "anonymous");
  EXPECT_FALSE(x->res.has_header("Set-Cookie"));
}

TEST(Sessions, ProbesHaveNoSessionLayer) {
  const auto a = make_app();
  browser b(*a);
  b.cookies["session"] = "garbage";
  auto x = b.send(verb::get, "/health");
  EXPECT_EQ(x->res.status(), 200u);
  EXPECT_FALSE(x->res.has_header("Set-Cookie"));
}

TEST(Sessions, ConfigurationMistakesAreRefused) {
  struct row {
    const char* option;
    const char* value;
  };
  const row rows[] = {
      {"SESSION_STORE_URI", "memcached://127.0.0.1:11211"},
      {"SESSION_STORE_URI", "redis://"},
      {"SESSION_COOKIE_NAME", "__Host-sid"},
      {"SESSION_COOKIE_NAME", "bad name"},
      {"SESSION_IDLE_TIMEOUT", "0s"},
      {"SESSION_COOKIE_SAMESITE", "none"},
      {"PASSWORD_HASH_MEMORY_KIB", "4096"},
      {"PASSWORD_HASH_ITERATIONS", "1"},
      {"LOGIN_URL", "https://evil.example/login"},
      {"CSRF_TRUSTED_ORIGINS", "https://*.example.com"},
      {"CSRF_TRUSTED_ORIGINS", "https://example.com/path"},
      {"REMEMBER_ME_DURATION", "0s"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(r.option) + "=" + r.value);
    app a("t", test_config({{"SECRET_KEY", key_a}, {r.option, r.value}}));
    bool found = false;
    for (const auto& p : a.settings().problems()) found = found || p.option == r.option;
    EXPECT_TRUE(found);
  }
}

}  // namespace
}  // namespace bastion
