// Login and role requirements, and bearer tokens, as an app enforces them.
#include <bastion/app/app.hpp>
#include <bastion/auth/authentication.hpp>
#include <bastion/routing/blueprint.hpp>
#include <bastion/session/session.hpp>

#include "support/browser.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace bastion {
namespace {

using testing::browser;
using testing::test_config;
using verb = http::verb;

const testing::header_list from_page{{"Sec-Fetch-Site", "same-origin"}};

std::unique_ptr<app> make_app() {
  auto a = std::make_unique<app>("t", test_config({{"SECRET_KEY", std::string(40, 'k')}, {"CSRF_ENABLED", "true"}}));
  a->set_user_loader([](std::string_view id) -> std::optional<user> {
    if (id == "1") return user{"1", "alice", {}};
    if (id == "2") return user{"2", "root", {"admin"}};
    return std::nullopt;  // "3" was deleted
  });
  a->set_token_authenticator([](std::string_view token) -> std::optional<user> {
    if (token == "tok-alice") return user{"1", "alice", {}};
    return std::nullopt;
  });
  a->post("/login/{id}", [](request& req, response& res) {
    session_of(req).login(std::string(req.param("id")));
    res.text("in");
  });
  a->get("/me", [](request& req, response& res) { res.text(current_user(req)->name); }, {.auth = auth_requirement::login});
  a->get("/open", [](request& req, response& res) {
    const auto* u = current_user(req);
    res.text(u ? u->name : "anonymous");
  });
  blueprint admin("admin", "/admin", {.auth = auth_requirement::role, .role = "admin"});
  admin.get("/", [](request&, response& res) { res.text("admin home"); }, {.name = "index"});
  admin.get("/users", [](request&, response& res) { res.text("users"); });
  admin.post("/users", [](request&, response& res) { res.text("created"); });
  a->register_blueprint(admin);
  a->post("/api/v1/posts", [](request& req, response& res) { res.text("posted by " + current_user(req)->name); },
          {.auth = auth_requirement::login, .token_only = true});
  a->freeze();
  return a;
}

TEST(Authentication, AnonymousHtmlGoesToTheLoginPageWithASameSiteNext) {
  const auto a = make_app();
  browser b(*a);
  auto x = b.send(verb::get, "/me?tab=1");
  EXPECT_EQ(x->res.status(), 302u);
  EXPECT_EQ(x->res.header("Location"), "/login?next=%2Fme%3Ftab%3D1");
  x = b.send(verb::get, "/me", {{"Accept", "application/json"}});
  EXPECT_EQ(x->res.status(), 401u);
  EXPECT_EQ(x->json().at("error"), "authentication required");
}

TEST(Authentication, RolesAreCheckedOnEveryRouteOfTheBlueprint) {
  const auto a = make_app();
  browser anonymous(*a), alice(*a), root(*a);
  alice.send(verb::post, "/login/1", from_page);
  root.send(verb::post, "/login/2", from_page);
  struct row {
    verb method;
    const char* target;
  };
  const row rows[] = {{verb::get, "/admin/"}, {verb::get, "/admin/users"}, {verb::post, "/admin/users"}};
  for (const auto& r : rows) {
    SCOPED_TRACE(r.target);
    EXPECT_EQ(anonymous.send(r.method, r.target, from_page)->res.status(), 302u);
    EXPECT_EQ(alice.send(r.method, r.target, from_page)->res.status(), 403u);
    EXPECT_EQ(root.send(r.method, r.target, from_page)->res.status(), 200u);
  }
}

TEST(Authentication, ADeletedUsersSessionIsOver) {
  const auto a = make_app();
  browser b(*a);
  b.send(verb::post, "/login/3", from_page);
  EXPECT_EQ(b.send(verb::get, "/open")->res.body(), "anonymous");
  EXPECT_EQ(b.send(verb::get, "/me")->res.status(), 302u);
}

TEST(Authentication, BearerTokensNeedNoCsrfAndCookiesDoNotCountOnTokenRoutes) {
  const auto a = make_app();
  browser b(*a);
  b.send(verb::post, "/login/1", from_page);
  struct row {
    const char* name;
    testing::header_list headers;
    unsigned status;
  };
  const row rows[] = {
      {"ValidToken", {{"Authorization", "Bearer tok-alice"}}, 200},
      {"SchemeIsCaseInsensitive", {{"Authorization", "bearer tok-alice"}}, 200},
      {"WrongToken", {{"Authorization", "Bearer nope"}}, 401},
      {"OtherScheme", {{"Authorization", "Basic dG9rLWFsaWNl"}}, 401},
      {"SessionCookieIsNotEnough", from_page, 401},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto x = b.send(verb::post, "/api/v1/posts", r.headers);
    EXPECT_EQ(x->res.status(), r.status);
    if (r.status == 200) { EXPECT_EQ(x->res.body(), "posted by alice"); }
    if (r.status == 401) { EXPECT_TRUE(x->res.header("WWW-Authenticate").starts_with("Bearer")); }
  }
}

TEST(Authentication, RoutesListTheRequirements) {
  const auto a = make_app();
  for (const auto& r : a->routes()) {
    if (r.pattern == "/admin/users") { EXPECT_NE(r.protections.find("role admin"), std::string::npos); }
    if (r.pattern == "/api/v1/posts") { EXPECT_NE(r.protections.find("bearer token only"), std::string::npos); }
  }
}

}  // namespace
}  // namespace bastion
