// CSRF protection as an app runs it: Fetch Metadata, then Origin, then the token.
#include <bastion/app/app.hpp>
#include <bastion/security/csrf.hpp>
#include <bastion/session/session.hpp>

#include "support/browser.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace bastion {
namespace {

using testing::browser;
using testing::test_config;
using verb = http::verb;

const std::string key_a(40, 'a');
const std::string key_b(40, 'b');

std::unique_ptr<app> make_app(std::map<std::string, std::string> values = {}) {
  values.try_emplace("SECRET_KEY", key_a);
  values.try_emplace("CSRF_ENABLED", "true");
  auto a = std::make_unique<app>("t", test_config(std::move(values)));
  a->get("/form", [](request& req, response& res) { res.text(csrf_token(req)); });
  a->post("/submit", [](request&, response& res) { res.text("stored"); });
  a->put("/submit", [](request&, response& res) { res.text("stored"); });
  a->post("/hook", [](request&, response& res) { res.text("hooked"); }, {.csrf_exempt = true});
  a->post("/login/{id}", [](request& req, response& res) {
    session_of(req).login(std::string(req.param("id")));
    res.text("in");
  }, {.csrf_exempt = true});
  a->freeze();
  return a;
}

std::string token_for(browser& b) { return b.send(verb::get, "/form")->res.body(); }

TEST(Csrf, JudgesEachLayerInTurn) {
  const auto a = make_app({{"CSRF_TRUSTED_ORIGINS", "https://admin.app.test"}});
  browser b(*a);
  const auto token = token_for(b);
  struct row {
    const char* name;
    testing::header_list headers;
    std::string body;
    unsigned status;
  };
  const row rows[] = {
      {"SameOriginFetchMetadata", {{"Sec-Fetch-Site", "same-origin"}}, "", 200},
      {"CrossSiteFetchMetadata", {{"Sec-Fetch-Site", "cross-site"}}, "csrf_token=" + token, 403},
      {"CrossSiteEvenWithOwnOrigin", {{"Sec-Fetch-Site", "cross-site"}, {"Origin", "http://app.test"}}, "", 403},
      {"SameSiteNeedsAToken", {{"Sec-Fetch-Site", "same-site"}}, "", 403},
      {"SameSiteWithToken", {{"Sec-Fetch-Site", "same-site"}}, "csrf_token=" + token, 200},
      {"SameSiteFromTrustedOrigin", {{"Sec-Fetch-Site", "same-site"}, {"Origin", "https://admin.app.test"}}, "", 200},
      {"OwnOriginWithoutFetchMetadata", {{"Origin", "http://app.test"}}, "", 200},
      {"OwnOriginWithDefaultPort", {{"Origin", "http://app.test:80"}}, "", 200},
      {"TrustedOrigin", {{"Origin", "https://admin.app.test"}}, "", 200},
      {"ForeignOrigin", {{"Origin", "https://evil.example"}}, "csrf_token=" + token, 403},
      {"OriginOtherScheme", {{"Origin", "https://app.test"}}, "", 403},
      {"OriginOtherPort", {{"Origin", "http://app.test:8081"}}, "", 403},
      {"NullOrigin", {{"Origin", "null"}}, "csrf_token=" + token, 403},
      {"NeitherAndNoToken", {}, "", 403},
      {"NeitherWithFormTokenAndNoReferer", {}, "csrf_token=" + token, 200},
      {"NeitherWithHeaderToken", {{"X-CSRFToken", token}}, "", 200},
      {"WrongToken", {}, "csrf_token=" + std::string(token.size(), 'A'), 403},
      {"MalformedToken", {}, "csrf_token=%00%ff", 403},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto x = b.post_form("/submit", r.body, r.headers);
    EXPECT_EQ(x->res.status(), r.status);
    EXPECT_EQ(x->res.body() == "stored", r.status == 200);
    if (r.status == 200) { EXPECT_EQ(x->res.header("Vary"), "Sec-Fetch-Site, Origin"); }
    else EXPECT_NE(x->res.body().find("reload the page"), std::string::npos);
  }
}

TEST(Csrf, TokensAreMaskedDifferentlyEveryTimeAndAllValid) {
  const auto a = make_app();
  browser b(*a);
  std::set<std::string> seen;
  for (int i = 0; i < 5; ++i) seen.insert(token_for(b));
  EXPECT_EQ(seen.size(), 5u);
  for (const auto& t : seen) EXPECT_EQ(b.post_form("/submit", "csrf_token=" + t)->res.status(), 200u) << t;
}

TEST(Csrf, TokensFromAnotherSessionOrBeforeTheLoginAreRefused) {
  const auto a = make_app();
  browser alice(*a), mallory(*a);
  const auto mallorys = token_for(mallory);
  token_for(alice);  // alice has a session with a secret of her own
  EXPECT_EQ(alice.post_form("/submit", "csrf_token=" + mallorys)->res.status(), 403u);
  browser fresh(*a);  // no session at all
  EXPECT_EQ(fresh.post_form("/submit", "csrf_token=" + mallorys)->res.status(), 403u);

  const auto before_login = token_for(alice);
  alice.post_form("/login/7", "");
  EXPECT_EQ(alice.post_form("/submit", "csrf_token=" + before_login)->res.status(), 403u);
  EXPECT_EQ(alice.post_form("/submit", "csrf_token=" + token_for(alice))->res.status(), 200u);
}

TEST(Csrf, TokensExpire) {
  const auto a = make_app({{"CSRF_TIME_LIMIT", "1s"}});
  browser b(*a);
  const auto token = token_for(b);
  EXPECT_EQ(b.post_form("/submit", "csrf_token=" + token)->res.status(), 200u);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(b.post_form("/submit", "csrf_token=" + token)->res.status(), 403u);
}

TEST(Csrf, TokensSurviveKeyRotationThroughTheFallbacks) {
  auto url = std::getenv("BASTION_TEST_REDIS_URL");
  if (!url || !*url) GTEST_SKIP() << "BASTION_TEST_REDIS_URL is not set (scripts/redis-test-server.sh)";
  const auto before = make_app({{"SESSION_STORE_URI", url}});
  const auto after = make_app({{"SESSION_STORE_URI", url}, {"SECRET_KEY", key_b}, {"SECRET_KEY_FALLBACKS", key_a}});
  const auto dropped = make_app({{"SESSION_STORE_URI", url}, {"SECRET_KEY", key_b}});
  browser b(*before);
  const auto token = token_for(b);
  browser b2(*after);
  b2.cookies = b.cookies;
  EXPECT_EQ(b2.post_form("/submit", "csrf_token=" + token)->res.status(), 200u);
  browser b3(*dropped);
  b3.cookies = b.cookies;  // the session cookie is void too: anonymous, no secret
  EXPECT_EQ(b3.post_form("/submit", "csrf_token=" + token)->res.status(), 403u);
}

TEST(Csrf, ExemptRoutesSafeMethodsAndTokenAuthenticationSkipTheCheck) {
  const auto a = make_app();
  browser b(*a);
  EXPECT_EQ(b.post_form("/hook", "")->res.status(), 200u);
  EXPECT_EQ(b.send(verb::get, "/form")->res.status(), 200u);
  EXPECT_EQ(b.post_form("/submit", "", {{"Authorization", "Bearer abc"}})->res.status(), 200u);
  EXPECT_EQ(b.send(verb::put, "/submit")->res.status(), 403u);  // every unsafe method, not only POST
}

TEST(Csrf, RoutesAndDeployCheckShowExemptions) {
  const auto a = make_app();
  bool listed = false;
  for (const auto& r : a->routes())
    if (r.pattern == "/hook") listed = r.protections.find("CSRF exempt") != std::string::npos;
  EXPECT_TRUE(listed);
}

TEST(Csrf, TurningItOffIsADeployFailure) {
  app a("t", test_config({{"SECRET_KEY", key_a}, {"CSRF_ENABLED", "false"}, {"APP_ENV", "production"}}));
  app on("t", test_config({{"SECRET_KEY", key_a}, {"CSRF_ENABLED", "true"}, {"APP_ENV", "production"}}));
  for (const auto& f : run_deploy_checks(on.deploy_checks(), on.settings())) EXPECT_NE(f.id, "auth.E002");
  bool flagged = false;
  for (const auto& f : run_deploy_checks(a.deploy_checks(), a.settings()))
    flagged = flagged || f.id == "auth.E002";
  EXPECT_TRUE(flagged);
}

}  // namespace
}  // namespace bastion
