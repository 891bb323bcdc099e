// SESSION_STORE_URI=cookie://: the record travels in the signed cookie and comes back
// whole; anything the server did not sign, or signed too long ago, is an anonymous session.
#include <bastion/app/app.hpp>
#include <bastion/auth/key_ring.hpp>
#include <bastion/session/session.hpp>
#include <bastion/session/session_manager.hpp>

#include <boost/json/string.hpp>

#include "support/browser.hpp"
#include "support/session_routes.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

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
  values.try_emplace("SESSION_STORE_URI", "cookie://");
  auto a = std::make_unique<app>("t", test_config(std::move(values)));
  testing::add_session_routes(*a);
  a->get("/big", [](request& req, response& res) {
    session_of(req).set("v", boost::json::string(std::string(5000, 'x')));
    res.text("ok");
  });
  a->freeze();
  return a;
}

std::string body_of(browser& b, std::string_view target) { return b.send(verb::get, target)->res.body(); }

TEST(CookieSessions, TheRecordTravelsInTheCookieAndNothingIsStored) {
  const auto a = make_app();
  browser b(*a);
  EXPECT_FALSE(b.cookies.contains("session"));
  b.send(verb::get, "/set/cart");
  ASSERT_TRUE(b.cookies.contains("session"));
  EXPECT_EQ(body_of(b, "/get"), "cart");
  b.send(verb::post, "/login/7", from_page);
  EXPECT_EQ(body_of(b, "/whoami"), "7");
  EXPECT_EQ(body_of(b, "/get"), "cart");
  EXPECT_TRUE(a->sessions().sessions_of("7").empty());  // the server knows of no session
  b.send(verb::post, "/logout", from_page);
  EXPECT_FALSE(b.cookies.contains("session"));
  EXPECT_EQ(body_of(b, "/whoami"), "anonymous");
}

TEST(CookieSessions, TamperedForeignAndServerSideCookiesAreAnonymousAndDeleted) {
  const auto a = make_app();
  browser b(*a);
  b.send(verb::post, "/login/7", from_page);
  const auto good = b.cookies.at("session");
  const auto server_side = make_app({{"SESSION_STORE_URI", "memory://"}});
  browser other(*server_side);
  other.send(verb::post, "/login/7", from_page);
  const auto foreign = make_app({{"SECRET_KEY", key_b}});
  browser elsewhere(*foreign);
  elsewhere.send(verb::post, "/login/7", from_page);
  std::string flipped = good;
  flipped[3] = flipped[3] == 'A' ? 'B' : 'A';  // a byte of the record
  for (const auto& value : {flipped, good.substr(0, good.size() - 2), other.cookies.at("session"),
                            elsewhere.cookies.at("session"), std::string("e30.1800000000.00000000.AAAA")}) {
    browser c(*a);
    c.cookies["session"] = value;
    auto x = c.send(verb::get, "/whoami");
    EXPECT_EQ(x->res.body(), "anonymous") << value;
    EXPECT_NE(x->res.header("Set-Cookie").find("Max-Age=0"), std::string_view::npos) << value;
  }
}

TEST(CookieSessions, OldKeysStillVerifyAfterARotation) {
  const auto before = make_app();
  const auto after = make_app({{"SECRET_KEY", key_b}, {"SECRET_KEY_FALLBACKS", key_a}});
  browser b(*before);
  b.send(verb::post, "/login/7", from_page);
  browser rotated(*after);
  rotated.cookies = b.cookies;
  EXPECT_EQ(body_of(rotated, "/whoami"), "7");
}

TEST(CookieSessions, IdleCookiesExpire) {
  const auto a = make_app({{"SESSION_IDLE_TIMEOUT", "1s"}});
  browser b(*a);
  b.send(verb::post, "/login/7", from_page);
  EXPECT_EQ(body_of(b, "/whoami"), "7");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(body_of(b, "/whoami"), "anonymous");
}

TEST(CookieSessions, ARecordTooLargeForACookieIsAServerErrorNotASilentLogout) {
  const auto a = make_app();
  browser b(*a);
  b.send(verb::post, "/login/7", from_page);
  const auto before = b.cookies.at("session");
  auto x = b.send(verb::get, "/big");
  EXPECT_EQ(x->res.status(), 500u);
  EXPECT_EQ(b.cookies.at("session"), before);
  EXPECT_EQ(body_of(b, "/whoami"), "7");
}

TEST(CookieSessions, RememberMeNeedsServerSideSessions) {
  app a("t", test_config({{"SECRET_KEY", key_a}, {"SESSION_STORE_URI", "cookie://"}, {"REMEMBER_ME", "true"}}));
  bool found = false;
  for (const auto& p : a.settings().problems()) found = found || p.option == "REMEMBER_ME";
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace bastion
