// Remember-me as an app runs it: a browser that lost its session cookie (closed and
// reopened) comes back logged in, once per token, and never after its user's sessions end.
#include <bastion/app/app.hpp>
#include <bastion/session/session.hpp>
#include <bastion/session/session_manager.hpp>

#include "session/remember_me.hpp"
#include "support/browser.hpp"
#include "support/session_routes.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace bastion {
namespace {

using testing::browser;
using testing::from_page;
using testing::test_config;
using verb = http::verb;

constexpr const char* remember_cookie = "session_remember";

std::unique_ptr<app> make_app(std::map<std::string, std::string> values = {}) {
  values.try_emplace("SECRET_KEY", std::string(40, 'a'));
  values.try_emplace("REMEMBER_ME", "true");
  auto a = std::make_unique<app>("t", test_config(std::move(values)));
  testing::add_session_routes(*a);
  a->freeze();
  return a;
}

std::string whoami(browser& b) { return b.send(verb::get, "/whoami")->res.body(); }

// What a browser keeps after it is closed: only the cookies with a Max-Age.
void restart(browser& b) { b.cookies.erase("session"); }

TEST(RememberMe, IsOffUnlessTheAppTurnsItOn) {
  const auto a = make_app({{"REMEMBER_ME", "false"}});
  browser b(*a);
  EXPECT_EQ(b.send(verb::post, "/login/7?remember=1", from_page)->res.body(), "not remembered");
  EXPECT_FALSE(b.cookies.contains(remember_cookie));
  restart(b);
  EXPECT_EQ(whoami(b), "anonymous");
}

TEST(RememberMe, ARestartedBrowserComesBackLoggedInUnderANewSessionAndANewToken) {
  const auto a = make_app();
  browser b(*a);
  auto x = b.send(verb::post, "/login/7?remember=1", from_page);
  EXPECT_EQ(x->res.body(), "remembered");
  ASSERT_TRUE(b.cookies.contains(remember_cookie));
  EXPECT_EQ(a->sessions().sessions_of("7").size(), 1u);  // a remembered browser is not a session
  const auto token = b.cookies.at(remember_cookie);
  const auto session = b.cookies.at("session");
  EXPECT_EQ(token.find(session.substr(0, session.find('.'))), std::string::npos);
  restart(b);
  EXPECT_EQ(whoami(b), "7");
  EXPECT_TRUE(b.cookies.contains("session"));
  EXPECT_NE(b.cookies.at(remember_cookie), token);  // rotated on use
  EXPECT_EQ(whoami(b), "7");                         // the new session carries on
}

TEST(RememberMe, ABrowsersParallelRequestsWithTheTokenJustReplacedAreRefusedQuietly) {
  const auto a = make_app();
  browser b(*a), same_tab_burst(*a);
  b.send(verb::post, "/login/7?remember=1", from_page);
  restart(b);
  same_tab_burst.cookies[remember_cookie] = b.cookies.at(remember_cookie);
  EXPECT_EQ(whoami(b), "7");                    // this request replaced the validator...
  EXPECT_EQ(whoami(same_tab_burst), "anonymous");  // ...so its twin, a moment later, is refused
  EXPECT_EQ(whoami(b), "7");                    // without ending anything
}

TEST(RememberMe, LogoutForgetsTheToken) {
  const auto a = make_app();
  browser b(*a);
  b.send(verb::post, "/login/7?remember=1", from_page);
  const auto token = b.cookies.at(remember_cookie);
  b.send(verb::post, "/logout", from_page);
  EXPECT_FALSE(b.cookies.contains(remember_cookie));
  browser replay(*a);
  replay.cookies[remember_cookie] = token;
  EXPECT_EQ(whoami(replay), "anonymous");
}

TEST(RememberMe, EndingAUsersSessionsForgetsTheirBrowsersToo) {
  const auto a = make_app();
  browser b(*a);
  b.send(verb::post, "/login/7?remember=1", from_page);
  EXPECT_EQ(a->sessions().end_user_sessions("7"), std::optional<std::size_t>(2));  // the session and the browser
  restart(b);
  EXPECT_EQ(whoami(b), "anonymous");
}

TEST(RememberMe, MalformedAndUnknownTokensLogNobodyIn) {
  const auto a = make_app();
  for (const std::string& token : std::vector<std::string>{"", "x", "a.b", std::string(22, 'A') + "." + std::string(43, 'A'),
                                  std::string(22, 'A') + std::string(44, 'A')}) {
    browser b(*a);
    b.cookies[remember_cookie] = token;
    EXPECT_EQ(whoami(b), "anonymous") << token;
  }
}

TEST(RememberMe, UseDoesNotExtendTheDurationFromTheLogin) {
  // Token times are whole seconds: the waits leave a second of slack on either side.
  const auto a = make_app({{"REMEMBER_ME_DURATION", "4s"}});
  browser b(*a);
  auto x = b.send(verb::post, "/login/7?remember=1", from_page);
  bool max_age = false;
  x->res.for_each_header([&](std::string_view name, std::string_view value) {
    if (name == "Set-Cookie" && value.starts_with(remember_cookie)) max_age = value.find("Max-Age=4") != value.npos;
  });
  EXPECT_TRUE(max_age);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  restart(b);
  EXPECT_EQ(whoami(b), "7");  // well within the four seconds
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  restart(b);
  EXPECT_EQ(whoami(b), "anonymous");  // four seconds after the login, however recently used
}

// The token itself, with the clock in the test's hands.
TEST(RememberMeTokens, AnOlderValidatorThanTheLastReplacedEndsEverySessionOfItsUser) {
  auto store = std::move(*open_session_store("memory://"));
  const detail::remember_me tokens(*store, std::chrono::hours(24));
  session_record other;
  other.user_id = "7";
  ASSERT_TRUE(store->save(std::string(64, 'a'), other, std::chrono::hours(1)));  // a session elsewhere
  const std::int64_t t0 = 1'800'000'000;
  const auto copied = *tokens.issue("7", t0);
  const auto first = tokens.redeem(copied, t0 + 3600);  // the owner comes back, twice
  ASSERT_EQ(first.result, detail::remembered::outcome::logged_in);
  EXPECT_EQ(tokens.redeem(copied, t0 + 3601).result, detail::remembered::outcome::unknown);  // just replaced
  const auto second = tokens.redeem(first.next_cookie, t0 + 7200);
  ASSERT_EQ(second.result, detail::remembered::outcome::logged_in);
  const auto stolen = tokens.redeem(copied, t0 + 9000);  // the copy, two replacements old
  EXPECT_EQ(stolen.result, detail::remembered::outcome::stolen);
  EXPECT_EQ(stolen.user_id, "7");
  EXPECT_EQ(tokens.redeem(second.next_cookie, t0 + 9001).result, detail::remembered::outcome::unknown);
  EXPECT_FALSE(store->load(std::string(64, 'a'))->has_value());
}

TEST(RememberMeTokens, ExpireAtTheDurationFromTheLoginAndShowTheirLifeLeft) {
  auto store = std::move(*open_session_store("memory://"));
  const detail::remember_me tokens(*store, std::chrono::hours(24));
  const std::int64_t t0 = 1'800'000'000;
  const auto first = tokens.redeem(*tokens.issue("7", t0), t0 + 3600);
  ASSERT_EQ(first.result, detail::remembered::outcome::logged_in);
  EXPECT_EQ(first.seconds_left, 23 * 3600);
  EXPECT_EQ(tokens.redeem(first.next_cookie, t0 + 24 * 3600).result, detail::remembered::outcome::unknown);
}

}  // namespace
}  // namespace bastion
