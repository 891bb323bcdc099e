#include <bastion/app/app.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/util/strings.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bastion {
namespace {

using verb = boost::beast::http::verb;
using header_list = std::vector<std::pair<std::string, std::string>>;

config test_config(std::map<std::string, std::string> overrides = {}) {
  // CSRF off as in support/test_server.cpp: these tests post without tokens.
  std::map<std::string, std::string> env{{"APP_ENV", "testing"}, {"ACCESS_LOG", "false"}, {"CSRF_ENABLED", "false"}};
  for (auto& [k, v] : overrides) env[k] = v;
  config_sources sources;
  sources.getenv = [env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto cfg = load_config({}, sources);
  for (const auto& p : cfg.problems()) ADD_FAILURE() << p.option << ": " << p.message;
  return cfg;
}

// One request through the app, the way the server drives it.
struct exchange {
  request req;
  response res;
  boost::json::value json() const {
    boost::system::error_code ec;
    auto v = boost::json::parse(res.body(), ec);
    if (ec) ADD_FAILURE() << "body is not JSON: " << res.body();
    return v;
  }
};

std::unique_ptr<exchange> send(const app& a, verb method, std::string_view target, header_list headers = {},
                               std::string_view peer = "203.0.113.5") {
  auto x = std::make_unique<exchange>();
  x->req.set_peer(peer, false);
  EXPECT_TRUE(x->req.set_start_line(method, boost::beast::http::to_string(method), target, 11));
  for (const auto& [n, v] : headers) x->req.add_header(n, v);
  a.route_request(x->req);
  a.handle(x->req, x->res);
  return x;
}

handler says(std::string text) {
  return [text](request&, response& res) { res.text(text); };
}

std::set<std::string> allow_set(std::string_view allow) {
  std::set<std::string> out;
  for (auto m : split_list(allow)) out.emplace(m);
  return out;
}

TEST(App, DispatchesByMethod) {
  app a("t", test_config());
  a.get("/items", says("list"));
  a.post("/items", says("create"));
  a.put("/items/{id:int}", says("replace"));
  a.patch("/items/{id:int}", says("update"));
  a.del("/items/{id:int}", says("delete"));
  a.freeze();
  struct row {
    const char* name;
    verb method;
    std::string_view target;
    std::string body;
  };
  const row rows[] = {
      {"Get", verb::get, "/items", "list"},
      {"Post", verb::post, "/items", "create"},
      {"Put", verb::put, "/items/1", "replace"},
      {"Patch", verb::patch, "/items/1", "update"},
      {"Delete", verb::delete_, "/items/1", "delete"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto x = send(a, r.method, r.target);
    EXPECT_EQ(x->res.status(), 200u);
    EXPECT_EQ(x->res.body(), r.body);
  }
}

TEST(App, AnswersNotFoundForAnUnknownPath) {
  app a("t", test_config());
  a.get("/items", says("list"));
  a.freeze();
  for (std::string_view target : {"/nope", "/items/", "/Items", "/items/1"}) {
    SCOPED_TRACE(std::string(target));
    auto x = send(a, verb::get, target);
    EXPECT_EQ(x->res.status(), 404u);
    EXPECT_NE(x->res.body().find("Not found"), std::string::npos) << x->res.body();
    EXPECT_FALSE(x->res.has_header("Allow"));
  }
}

TEST(App, AnswersMethodNotAllowedWithAnAllowHeader) {
  app a("t", test_config());
  a.get("/items", says("list"));
  a.freeze();
  for (verb m : {verb::post, verb::put, verb::delete_, verb::patch}) {
    SCOPED_TRACE(std::string(boost::beast::http::to_string(m)));
    auto x = send(a, m, "/items");
    EXPECT_EQ(x->res.status(), 405u);
    EXPECT_EQ(x->res.header("Allow"), "GET, HEAD, OPTIONS");
    EXPECT_NE(x->res.body().find("Method not allowed"), std::string::npos) << x->res.body();
  }
}

TEST(App, AnswersOptionsAutomatically) {
  app a("t", test_config());
  a.get("/items", says("list"));
  a.post("/items", says("create"));
  a.get("/about", says("about"));
  a.freeze();
  struct row {
    const char* name;
    std::string_view target;
    std::set<std::string> allow;
  };
  const row rows[] = {
      {"GetOnly", "/about", {"GET", "HEAD", "OPTIONS"}},
      {"GetAndPost", "/items", {"GET", "POST", "HEAD", "OPTIONS"}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto x = send(a, verb::options, r.target);
    EXPECT_EQ(x->res.status(), 204u);
    EXPECT_EQ(allow_set(x->res.header("Allow")), r.allow) << x->res.header("Allow");
    EXPECT_TRUE(x->res.body().empty());
  }
  EXPECT_EQ(send(a, verb::options, "/about")->res.header("Allow"), "GET, HEAD, OPTIONS");
}

TEST(App, ServesHeadWithTheGetHandlerAndSuppressesTheBody) {
  app a("t", test_config());
  int calls = 0;
  a.get("/items", [&](request&, response& res) {
    ++calls;
    res.text("list");
  });
  a.freeze();
  auto head = send(a, verb::head, "/items");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(head->res.status(), 200u);
  EXPECT_TRUE(head->res.suppress_body);
  EXPECT_EQ(head->res.header("Content-Type"), "text/plain; charset=utf-8");
  auto get = send(a, verb::get, "/items");
  EXPECT_FALSE(get->res.suppress_body);
  EXPECT_EQ(get->res.body(), "list");
}

TEST(App, TypedParametersOnlyMatchTheirType) {
  app a("t", test_config());
  a.get("/posts/{id:int}", [](request& req, response& res) { res.text("post " + std::to_string(req.param_int("id"))); });
  a.get("/users/{name}", [](request& req, response& res) { res.text("user " + std::string(req.param("name"))); });
  a.freeze();
  struct row {
    const char* name;
    std::string_view target;
    unsigned status;
    std::string body;
  };
  const row rows[] = {
      {"Int", "/posts/42", 200, "post 42"},
      {"IntRefusesLetters", "/posts/abc", 404, ""},
      {"IntRefusesNegative", "/posts/-1", 404, ""},
      {"IntRefusesNineteenDigits", "/posts/1000000000000000000", 404, ""},
      {"StrIsDecoded", "/users/ada%20lovelace", 200, "user ada lovelace"},
      {"StrIsOneSegment", "/users/a/b", 404, ""},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto x = send(a, verb::get, r.target);
    EXPECT_EQ(x->res.status(), r.status);
    if (r.status == 200) {
      EXPECT_EQ(x->res.body(), r.body);
    }
  }
}

TEST(App, StaticRouteWinsOverAParameterRoute) {
  app a("t", test_config());
  a.get("/posts/{id}", [](request& req, response& res) { res.text("post " + std::string(req.param("id"))); });
  a.get("/posts/new", says("new form"));
  a.freeze();
  EXPECT_EQ(send(a, verb::get, "/posts/new")->res.body(), "new form");
  EXPECT_EQ(send(a, verb::get, "/posts/7")->res.body(), "post 7");
}

// Two methods on the same shape of path, written with different parameter names,
// each handler reads the name from its own pattern.
TEST(App, SameShapeRoutesSeeTheirOwnParameterNames) {
  app a("t", test_config());
  a.get("/posts/{id:int}", [](request& req, response& res) { res.text("show " + std::string(req.param("id"))); });
  a.post("/posts/{post_id:int}",
         [](request& req, response& res) { res.text("update " + std::string(req.param("post_id"))); });
  a.freeze();
  EXPECT_EQ(send(a, verb::get, "/posts/9")->res.body(), "show 9");
  EXPECT_EQ(send(a, verb::post, "/posts/9")->res.body(), "update 9");
}

middleware tracing(std::string name, std::vector<std::string>& trace) {
  return {name, [name, &trace](request& req, response& res, const next_fn& next) {
            trace.push_back(name + ">");
            next(req, res);
            trace.push_back("<" + name);
          }};
}

TEST(App, RunsMiddlewareAppThenBlueprintThenRouteAroundTheHandler) {
  std::vector<std::string> trace;
  app a("t", test_config());
  a.use(tracing("app1", trace));
  a.use(tracing("app2", trace));
  blueprint bp("bp", "/bp");
  bp.use(tracing("bp", trace));
  bp.get("/x", [&](request&, response& res) {
    trace.push_back("handler");
    res.text("ok");
  }, {.layers = {tracing("route", trace)}});
  a.register_blueprint(bp);
  a.get("/plain", [&](request&, response& res) {
    trace.push_back("handler");
    res.text("ok");
  });
  a.freeze();

  struct row {
    const char* name;
    std::string_view target;
    std::vector<std::string> expected;
  };
  const row rows[] = {
      {"BlueprintRoute", "/bp/x", {"app1>", "app2>", "bp>", "route>", "handler", "<route", "<bp", "<app2", "<app1"}},
      {"AppRoute", "/plain", {"app1>", "app2>", "handler", "<app2", "<app1"}},
      {"NotFoundGoesThroughAppMiddleware", "/missing", {"app1>", "app2>", "<app2", "<app1"}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    trace.clear();
    send(a, verb::get, r.target);
    EXPECT_EQ(trace, r.expected);
  }
}

TEST(App, MiddlewareCanAnswerWithoutCallingNext) {
  app a("t", test_config());
  bool handler_ran = false;
  a.use({"gate", [](request& req, response& res, const next_fn& next) {
           if (req.header("x-key") != "open") {
             res.status(401);
             res.text("closed");
             return;
           }
           next(req, res);
         }});
  a.get("/secret", [&](request&, response& res) {
    handler_ran = true;
    res.text("inside");
  });
  a.freeze();
  auto refused = send(a, verb::get, "/secret");
  EXPECT_EQ(refused->res.status(), 401u);
  EXPECT_EQ(refused->res.body(), "closed");
  EXPECT_FALSE(handler_ran);
  auto allowed = send(a, verb::get, "/secret", {{"X-Key", "open"}});
  EXPECT_EQ(allowed->res.body(), "inside");
  EXPECT_TRUE(handler_ran);
}

TEST(App, BlueprintPrefixesPathsAndNames) {
  app a("t", test_config());
  blueprint admin("admin", "/admin");
  admin.get("/", says("dashboard"), {.name = "index"});
  admin.get("/users/{id:int}", says("user"), {.name = "user"});
  a.register_blueprint(admin);
  a.get("/", says("home"), {.name = "index"});
  a.freeze();

  EXPECT_EQ(a.url_for("admin.index"), "/admin/");
  EXPECT_EQ(a.url_for("admin.user", {{"id", "5"}}), "/admin/users/5");
  EXPECT_EQ(a.url_for("index"), "/");
  EXPECT_EQ(send(a, verb::get, "/admin/")->res.body(), "dashboard");
  EXPECT_EQ(send(a, verb::get, "/admin/users/5")->res.body(), "user");
  auto unslashed = send(a, verb::get, "/admin");  // the index lives at "/admin/"
  EXPECT_EQ(unslashed->res.status(), 308u);
  EXPECT_EQ(unslashed->res.header("Location"), "/admin/");
  EXPECT_EQ(send(a, verb::get, "/users/5")->res.status(), 404u);
  EXPECT_EQ(send(a, verb::get, "/")->res.body(), "home");
}

TEST(App, BlueprintWithoutPrefixKeepsPaths) {
  app a("t", test_config());
  blueprint pages("pages", "");
  pages.get("/about", says("about"), {.name = "about"});
  a.register_blueprint(pages);
  a.freeze();
  EXPECT_EQ(a.url_for("pages.about"), "/about");
  EXPECT_EQ(send(a, verb::get, "/about")->res.body(), "about");
}

TEST(App, RefusesBadBlueprintPrefixesAndDuplicateBlueprints) {
  app a("t", test_config());
  EXPECT_THROW(a.register_blueprint(blueprint("x", "admin")), std::invalid_argument);
  EXPECT_THROW(a.register_blueprint(blueprint("y", "/admin/")), std::invalid_argument);
  a.register_blueprint(blueprint("z", "/z"));
  EXPECT_THROW(a.register_blueprint(blueprint("z", "/other")), std::invalid_argument);
}

TEST(App, BlueprintDefaultsMergeIntoItsRoutes) {
  app a("t", test_config());
  std::vector<std::string> trace;
  blueprint admin("admin", "/admin",
                  {.max_body_bytes = 1000,
                   .csrf_exempt = true,
                   .rate_limits = {"5 per minute"},
                   .auth = auth_requirement::role,
                   .role = "admin",
                   .layers = {tracing("default", trace)}});
  route_options seen_inherited, seen_own;
  admin.get("/", [&](request& req, response& res) {
    seen_inherited = req.matched_route()->options;
    res.text("ok");
  }, {.name = "index", .rate_limits = {"1 per second"}, .layers = {tracing("own", trace)}});
  admin.get("/me", [&](request& req, response& res) {
    seen_own = req.matched_route()->options;
    res.text("ok");
  }, {.name = "me", .max_body_bytes = 10, .auth = auth_requirement::login});
  a.register_blueprint(admin);
  a.set_token_authenticator([](std::string_view) { return std::optional<user>(user{"1", "root", {"admin"}}); });
  a.freeze();

  const header_list admin_token{{"Authorization", "Bearer t"}};
  send(a, verb::get, "/admin/", admin_token);
  EXPECT_EQ(seen_inherited.name, "admin.index");
  EXPECT_EQ(seen_inherited.auth, auth_requirement::role);
  EXPECT_EQ(seen_inherited.role, "admin");
  EXPECT_EQ(seen_inherited.max_body_bytes, std::optional<std::size_t>(1000));
  EXPECT_TRUE(seen_inherited.csrf_exempt);
  EXPECT_EQ(seen_inherited.rate_limits, (std::vector<std::string>{"5 per minute", "1 per second"}));
  EXPECT_EQ(trace, (std::vector<std::string>{"default>", "own>", "<own", "<default"}));

  send(a, verb::get, "/admin/me", admin_token);
  EXPECT_EQ(seen_own.name, "admin.me");
  EXPECT_EQ(seen_own.auth, auth_requirement::login);  // the route's own choice wins
  EXPECT_EQ(seen_own.max_body_bytes, std::optional<std::size_t>(10));

  // The body limit is what route_request reports to the server.
  request req;
  ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/admin/", 11));
  EXPECT_EQ(a.route_request(req), 1000u);

  bool listed = false;
  for (const auto& r : a.routes())
    if (r.pattern == "/admin/") {
      listed = true;
      EXPECT_NE(r.protections.find("role admin"), std::string::npos) << r.protections;
      EXPECT_NE(r.protections.find("CSRF exempt"), std::string::npos) << r.protections;
    }
  EXPECT_TRUE(listed);
}

TEST(App, RouteRequestReportsTheDefaultBodyLimit) {
  app a("t", test_config({{"MAX_CONTENT_LENGTH", "64KiB"}}));
  a.post("/upload", says("ok"), {.max_body_bytes = 10u << 20});
  a.post("/form", says("ok"));
  a.freeze();
  struct row {
    const char* name;
    std::string_view target;
    std::size_t limit;
  };
  const row rows[] = {
      {"RouteOverride", "/upload", 10u << 20},
      {"ConfiguredDefault", "/form", 64u << 10},
      {"NotFoundUsesTheDefault", "/missing", 64u << 10},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    request req;
    ASSERT_TRUE(req.set_start_line(verb::post, "POST", r.target, 11));
    EXPECT_EQ(a.route_request(req), r.limit);
  }
}

TEST(App, FormAndQueryLimitsComeFromTheConfiguration) {
  app a("t", test_config({{"MAX_FORM_FIELDS", "2"}}));
  std::string outcome;
  a.post("/form", [&](request& req, response& res) {
    const auto& f = req.form();
    outcome = f ? "ok" : f.error().message();
    res.text(outcome);
  });
  a.get("/search", [&](request& req, response& res) {
    const auto& q = req.query();
    outcome = q ? "ok" : q.error().message();
    res.text(outcome);
  });
  a.freeze();
  struct row {
    const char* name;
    verb method;
    std::string_view target;
    std::string body;
    bool ok;
  };
  const row rows[] = {
      {"FormAtTheLimit", verb::post, "/form", "a=1&b=2", true},
      {"FormOverTheLimit", verb::post, "/form", "a=1&b=2&c=3", false},
      {"QueryAtTheLimit", verb::get, "/search?a=1&b=2", "", true},
      {"QueryOverTheLimit", verb::get, "/search?a=1&b=2&c=3", "", false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    request req;
    ASSERT_TRUE(req.set_start_line(r.method, boost::beast::http::to_string(r.method), r.target, 11));
    req.add_header("Content-Type", "application/x-www-form-urlencoded");
    req.body_buffer() = r.body;
    response res;
    a.route_request(req);
    a.handle(req, res);
    if (r.ok) {
      EXPECT_EQ(outcome, "ok");
    } else {
      EXPECT_EQ(outcome, make_error_code(form_errc::too_many_fields).message());
    }
  }
}

TEST(App, BlueprintErrorHandlerServesItsRoutesAndTheAppHandlerTheRest) {
  app a("t", test_config());
  blueprint bp("shop", "/shop");
  bp.error_handler(404, [](request&, response& res, const error_info& info) {
    res.text("shop " + std::to_string(info.status) + " " + std::string(info.message));
  });
  bp.get("/item", [](request&, response&) { throw http_error(404, "no such item"); });
  bp.get("/broken", [](request&, response&) { throw std::runtime_error("boom"); });
  a.register_blueprint(bp);
  a.error_handler(404, [](request&, response& res, const error_info& info) {
    res.text("app " + std::to_string(info.status) + " " + std::string(info.message));
  });
  a.error_handler(0, [](request&, response& res, const error_info& info) {
    res.text("app any " + std::to_string(info.status));
  });
  a.get("/thing", [](request&, response&) { throw http_error(404); });
  a.freeze();

  struct row {
    const char* name;
    std::string_view target;
    unsigned status;
    std::string body;
  };
  const row rows[] = {
      {"BlueprintRoute", "/shop/item", 404, "shop 404 no such item"},
      {"BlueprintRouteOtherStatusFallsToApp", "/shop/broken", 500, "app any 500"},
      {"AppRoute", "/thing", 404, "app 404 not found"},
      {"UnknownPath", "/missing", 404, "app 404 not found"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto x = send(a, verb::get, r.target);
    EXPECT_EQ(x->res.status(), r.status);
    EXPECT_EQ(x->res.body(), r.body);
  }
}

TEST(App, ErrorHandlerThatWritesNothingOrThrowsFallsBackToTheDefaultPage) {
  app a("t", test_config());
  a.error_handler(404, [](request&, response&, const error_info&) {});
  a.error_handler(403, [](request&, response&, const error_info&) { throw std::runtime_error("handler broke"); });
  a.get("/forbidden", [](request&, response&) { throw http_error(403); });
  a.freeze();
  auto missing = send(a, verb::get, "/missing");
  EXPECT_EQ(missing->res.status(), 404u);
  EXPECT_NE(missing->res.body().find("Not found"), std::string::npos) << missing->res.body();
  auto forbidden = send(a, verb::get, "/forbidden");
  EXPECT_EQ(forbidden->res.status(), 403u);
  EXPECT_NE(forbidden->res.body().find("Forbidden"), std::string::npos) << forbidden->res.body();
  EXPECT_EQ(forbidden->res.body().find("handler broke"), std::string::npos);
}

TEST(App, HttpErrorBecomesTheJsonErrorBodyForApiPaths) {
  app a("t", test_config());
  a.post("/api/posts", [](request&, response& res) {
    res.set_header("X-Partial", "1");
    res.text("half written");
    throw http_error(422, "validation failed", {{"fields", {{"title", "required"}}}});
  });
  a.freeze();
  auto x = send(a, verb::post, "/api/posts");
  EXPECT_EQ(x->res.status(), 422u);
  EXPECT_EQ(x->res.header("Content-Type"), "application/json");
  EXPECT_FALSE(x->res.has_header("X-Partial"));
  const auto body = x->json();
  ASSERT_TRUE(body.is_object());
  EXPECT_EQ(body.at("error").as_string(), "validation failed");
  EXPECT_EQ(body.at("fields").at("title").as_string(), "required");
  EXPECT_FALSE(body.as_object().contains("request_id"));  // only 5xx carry it
}

TEST(App, UnexpectedExceptionsNeverLeakTheirText) {
  app a("t", test_config());
  a.get("/boom", [](request&, response&) { throw std::runtime_error("SELECT secret FROM users /etc/passwd"); });
  a.get("/api/boom", [](request&, response&) { throw std::runtime_error("SELECT secret FROM users /etc/passwd"); });
  a.get("/odd", [](request&, response&) { throw 42; });
  a.freeze();
  struct row {
    const char* name;
    std::string_view target;
    header_list headers;
    std::string_view content_type;
  };
  const row rows[] = {
      {"HtmlPage", "/boom", {}, "text/html; charset=utf-8"},
      {"JsonClient", "/boom", {{"Accept", "application/json"}}, "application/json"},
      {"ApiPath", "/api/boom", {}, "application/json"},
      {"NonStandardException", "/odd", {}, "text/html; charset=utf-8"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto x = send(a, verb::get, r.target, r.headers);
    EXPECT_EQ(x->res.status(), 500u);
    EXPECT_EQ(x->res.header("Content-Type"), r.content_type);
    const auto& body = x->res.body();
    for (std::string_view leak : {"SELECT", "/etc/passwd", "runtime_error", "secret", "users"})
      EXPECT_EQ(body.find(leak), std::string::npos) << leak << " in " << body;
    ASSERT_FALSE(x->req.request_id().empty());
    EXPECT_NE(body.find(x->req.request_id()), std::string::npos) << body;
  }
}

TEST(App, ExceptionDetailIsShownOnlyToLocalClientsInDevelopmentDebug) {
  struct row {
    const char* name;
    std::map<std::string, std::string> env;
    std::string_view peer;
    bool shown;
  };
  const row rows[] = {
      {"TestingLocal", {}, "127.0.0.1", false},
      {"DevelopmentWithoutDebug", {{"APP_ENV", "development"}}, "127.0.0.1", false},
      {"DevelopmentDebugRemote", {{"APP_ENV", "development"}, {"APP_DEBUG", "true"}}, "203.0.113.5", false},
      {"DevelopmentDebugLocal", {{"APP_ENV", "development"}, {"APP_DEBUG", "true"}}, "127.0.0.1", true},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    app a("t", test_config(r.env));
    a.get("/boom", [](request&, response&) { throw std::runtime_error("detail-text"); });
    a.freeze();
    auto x = send(a, verb::get, "/boom", {}, r.peer);
    EXPECT_EQ(x->res.status(), 500u);
    EXPECT_EQ(x->res.body().find("detail-text") != std::string::npos, r.shown) << x->res.body();
  }
}

TEST(App, StatusWithoutBodyGetsTheStandardErrorPage) {
  app a("t", test_config());
  a.get("/private", [](request&, response& res) { res.status(403); });
  a.get("/custom", [](request&, response& res) {
    res.status(404);
    res.text("my own page");
  });
  a.freeze();
  struct row {
    const char* name;
    std::string_view target;
    header_list headers;
    unsigned status;
    std::string_view content_type;
    std::string_view contains;
  };
  const row rows[] = {
      {"HtmlPage", "/private", {}, 403, "text/html; charset=utf-8", "<h1>Forbidden</h1>"},
      {"JsonClient", "/private", {{"Accept", "application/json"}}, 403, "application/json", R"({"error":"forbidden"})"},
      {"HandlerBodyKept", "/custom", {}, 404, "text/plain; charset=utf-8", "my own page"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto x = send(a, verb::get, r.target, r.headers);
    EXPECT_EQ(x->res.status(), r.status);
    EXPECT_EQ(x->res.header("Content-Type"), r.content_type);
    EXPECT_NE(x->res.body().find(r.contains), std::string::npos) << x->res.body();
  }
}

TEST(App, ErrorPagesAreHtmlOrJsonByClient) {
  app a("t", test_config());
  a.freeze();
  struct row {
    const char* name;
    std::string_view target;
    header_list headers;
    bool json;
  };
  const row rows[] = {
      {"Browser", "/missing", {{"Accept", "text/html,application/xhtml+xml"}}, false},
      {"NoAccept", "/missing", {}, false},
      {"JsonClient", "/missing", {{"Accept", "application/json"}}, true},
      {"ApiPath", "/api/missing", {{"Accept", "text/html"}}, true},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto x = send(a, verb::get, r.target, r.headers);
    EXPECT_EQ(x->res.status(), 404u);
    if (r.json) {
      EXPECT_EQ(x->res.header("Content-Type"), "application/json");
      EXPECT_EQ(x->json().at("error").as_string(), "not found");
    } else {
      EXPECT_EQ(x->res.header("Content-Type"), "text/html; charset=utf-8");
      EXPECT_TRUE(x->res.body().starts_with("<!doctype html>")) << x->res.body();
    }
  }
}

TEST(App, OuterMiddlewareSeesTheErrorFromAnInnerOne) {
  app a("t", test_config());
  unsigned outer_saw = 0;
  a.use({"outer", [&](request& req, response& res, const next_fn& next) {
           next(req, res);
           outer_saw = res.status();
           res.set_header("X-Outer", "ran");
         }});
  a.use({"inner", [](request& req, response& res, const next_fn& next) {
           next(req, res);
           throw std::runtime_error("after next");
         }});
  a.get("/", says("fine"));
  a.freeze();
  auto x = send(a, verb::get, "/");
  EXPECT_EQ(outer_saw, 500u);
  EXPECT_EQ(x->res.status(), 500u);
  EXPECT_EQ(x->res.header("X-Outer"), "ran");
  EXPECT_EQ(x->res.body().find("fine"), std::string::npos);
  EXPECT_EQ(x->res.body().find("after next"), std::string::npos);
}

TEST(App, RegistrationAfterFreezeThrows) {
  app a("t", test_config());
  a.get("/", says("home"));
  a.freeze();
  EXPECT_TRUE(a.frozen());
  EXPECT_THROW(a.get("/late", says("late")), std::logic_error);
  EXPECT_THROW(a.use({"late", [](request& q, response& s, const next_fn& n) { n(q, s); }}), std::logic_error);
  EXPECT_THROW(a.register_blueprint(blueprint("late", "/late")), std::logic_error);
  EXPECT_THROW(a.error_handler(404, [](request&, response&, const error_info&) {}), std::logic_error);
  EXPECT_EQ(send(a, verb::get, "/late")->res.status(), 404u);
}

TEST(App, DuplicateRoutesAreRefusedAtFreeze) {
  struct row {
    const char* name;
    std::string_view first, second;
  };
  const row rows[] = {
      {"SamePattern", "/items", "/items"},
      {"SameShapeOtherParameterName", "/posts/{id:int}", "/posts/{post_id:int}"},
      {"BuiltInHealthTwice", "/health", "/health"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    app a("t", test_config());
    a.get(r.first, says("one"));
    a.get(r.second, says("two"));
    EXPECT_THROW(a.freeze(), std::logic_error);
  }
}

TEST(App, RefusesInvalidRegistrations) {
  app a("t", test_config());
  a.get("/a", says("a"), {.name = "a"});
  EXPECT_THROW(a.get("no-slash", says("x")), std::invalid_argument);
  EXPECT_THROW(a.get("/b/{id:float}", says("x")), std::invalid_argument);
  EXPECT_THROW(a.get("/b", handler{}), std::invalid_argument);
  EXPECT_THROW(a.route("/b", {}, says("x")), std::invalid_argument);
  EXPECT_THROW(a.get("/c", says("c"), {.name = "a"}), std::invalid_argument);
}

TEST(App, SameMethodOnDifferentPatternsIsFine) {
  app a("t", test_config());
  a.get("/items", says("list"));
  a.post("/items", says("create"));
  a.get("/items/{id:int}", says("one"));
  EXPECT_NO_THROW(a.freeze());
}

TEST(App, UrlForRefusesUnknownNamesAndBadParameters) {
  app a("t", test_config());
  a.get("/posts/{id:int}", says("post"), {.name = "post"});
  a.freeze();
  EXPECT_EQ(a.url_for("post", {{"id", "3"}}), "/posts/3");
  EXPECT_THROW(a.url_for("nope"), std::invalid_argument);
  EXPECT_THROW(a.url_for("post"), std::invalid_argument);
  EXPECT_THROW(a.url_for("post", {{"id", "x"}}), std::invalid_argument);
  EXPECT_EQ(a.url_for("health"), "/health");
}

TEST(App, HealthAnswersOk) {
  app a("t", test_config());
  a.add_readiness_check("never", [] { return false; });
  a.freeze();
  auto x = send(a, verb::get, "/health");
  EXPECT_EQ(x->res.status(), 200u);
  EXPECT_EQ(x->res.body(), R"({"status":"ok"})");
  EXPECT_EQ(x->res.header("Content-Type"), "application/json");
}

TEST(App, ReadyReflectsTheReadinessChecks) {
  struct row {
    const char* name;
    std::vector<std::function<bool()>> checks;
    unsigned status;
    std::string body;
  };
  const row rows[] = {
      {"NoChecks", {}, 200, R"({"status":"ready"})"},
      {"AllPass", {[] { return true; }, [] { return true; }}, 200, R"({"status":"ready"})"},
      {"OneFails", {[] { return true; }, [] { return false; }}, 503, R"({"status":"unavailable"})"},
      {"OneThrows", {[]() -> bool { throw std::runtime_error("db down"); }}, 503, R"({"status":"unavailable"})"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    app a("t", test_config());
    int i = 0;
    for (const auto& c : r.checks) a.add_readiness_check("check" + std::to_string(i++), c);
    a.freeze();
    EXPECT_EQ(a.ready(), r.status == 200);
    auto x = send(a, verb::get, "/ready");
    EXPECT_EQ(x->res.status(), r.status);
    EXPECT_EQ(x->res.body(), r.body);
  }
}

TEST(App, ProbesSkipAppMiddlewareUnlessItAppliesToProbes) {
  std::vector<std::string> trace;
  app a("t", test_config());
  a.use({"auth", [&](request&, response& res, const next_fn&) {
           trace.push_back("auth");
           res.status(401);
         }});
  middleware headers = tracing("headers", trace);
  headers.applies_to_probes = true;
  a.use(headers);
  a.get("/", says("home"));
  a.freeze();
  struct row {
    const char* name;
    std::string_view target;
    unsigned status;
    std::vector<std::string> trace;
  };
  const row rows[] = {
      {"Health", "/health", 200, {"headers>", "<headers"}},
      {"Ready", "/ready", 200, {"headers>", "<headers"}},
      {"OrdinaryRoute", "/", 401, {"auth"}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    trace.clear();
    auto x = send(a, verb::get, r.target);
    EXPECT_EQ(x->res.status(), r.status);
    EXPECT_EQ(trace, r.trace);
  }
}

TEST(App, AppCanReplaceTheBuiltInProbes) {
  app a("t", test_config());
  a.get("/health", says("custom health"));
  a.freeze();
  EXPECT_EQ(send(a, verb::get, "/health")->res.body(), "custom health");
  EXPECT_EQ(send(a, verb::get, "/ready")->res.body(), R"({"status":"ready"})");
}

TEST(App, RoutesListsTheProbes) {
  app a("t", test_config());
  a.get("/", says("home"), {.name = "home"});
  a.post("/posts", says("create"), {.csrf_exempt = true, .rate_limits = {"5 per minute"}});
  a.freeze();
  std::map<std::string, route_info> by_pattern;
  for (auto& r : a.routes()) by_pattern[r.pattern] = r;
  ASSERT_TRUE(by_pattern.count("/health"));
  ASSERT_TRUE(by_pattern.count("/ready"));
  EXPECT_EQ(by_pattern["/health"].methods, "GET, HEAD");
  EXPECT_EQ(by_pattern["/health"].name, "health");
  EXPECT_NE(by_pattern["/health"].protections.find("probe"), std::string::npos) << by_pattern["/health"].protections;
  EXPECT_NE(by_pattern["/ready"].protections.find("probe"), std::string::npos);
  EXPECT_EQ(by_pattern["/"].methods, "GET, HEAD");
  EXPECT_EQ(by_pattern["/"].protections.find("probe"), std::string::npos);
  EXPECT_EQ(by_pattern["/posts"].methods, "POST");
  EXPECT_NE(by_pattern["/posts"].protections.find("CSRF exempt"), std::string::npos);
  EXPECT_NE(by_pattern["/posts"].protections.find("limit 5 per minute"), std::string::npos);
}

TEST(App, RejectRendersTheServersStatusThroughTheErrorPage) {
  app a("t", test_config());
  bool app_middleware_ran = false;
  a.use({"auth", [&](request& req, response& res, const next_fn& next) {
           app_middleware_ran = true;
           next(req, res);
         }});
  a.freeze();
  for (unsigned status : {400u, 408u, 413u, 431u}) {
    SCOPED_TRACE(status);
    request req;
    req.set_peer("203.0.113.5", false);
    response res;
    a.reject(req, res, status);
    EXPECT_EQ(res.status(), status);
    EXPECT_FALSE(res.body().empty());
  }
  EXPECT_FALSE(app_middleware_ran);
}

TEST(App, EachRequestGetsADistinctRequestId) {
  app a("t", test_config());
  a.get("/", says("home"));
  a.freeze();
  auto x = send(a, verb::get, "/");
  auto y = send(a, verb::get, "/");
  EXPECT_FALSE(x->req.request_id().empty());
  EXPECT_NE(x->req.request_id(), y->req.request_id());
}

}  // namespace
}  // namespace bastion
