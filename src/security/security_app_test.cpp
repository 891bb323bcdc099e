// The security layers as an app runs them: built from configuration, in order, with
// probes exempt where they must be.
#include <bastion/app/app.hpp>

#include "support/exchange.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace bastion {
namespace {

using testing::send;
using testing::test_config;
using verb = http::verb;

std::unique_ptr<app> make_app(std::map<std::string, std::string> values) {
  auto a = std::make_unique<app>("t", test_config(std::move(values)));
  a->get("/", [](request& req, response& res) {
    res.html("<script nonce=\"" + std::string(req.csp_nonce()) + "\">1</script> " + std::string(req.client_address()));
  });
  a->post("/submit", [](request&, response& res) { res.text("stored"); });
  a->get("/api/v1/posts", [](request&, response& res) { res.json_raw("[]"); });
  a->freeze();
  return a;
}

TEST(SecurityApp, RedirectsPlainHttpButNeverProbes) {
  const auto a = make_app({{"FORCE_HTTPS", "true"}, {"SERVER_NAME", "app.example.com"}});
  struct row {
    verb method;
    const char* target;
    const char* host;
    unsigned status;
    const char* location;
  };
  const row rows[] = {
      {verb::get, "/?q=1", "app.example.com", 301, "https://app.example.com/?q=1"},
      {verb::head, "/", "app.example.com:8080", 301, "https://app.example.com/"},
      {verb::post, "/submit", "app.example.com", 308, "https://app.example.com/submit"},
      {verb::get, "/", "evil.example", 400, ""},  // no redirect to a host of the client's choosing
      {verb::get, "/health", "10.1.2.3:8080", 200, ""},
      {verb::get, "/ready", "10.1.2.3:8080", 200, ""},
  };
  for (const auto& r : rows) {
    const auto x = send(*a, r.method, r.target, {{"Host", r.host}});
    EXPECT_EQ(x->res.status(), r.status) << r.target << " " << r.host;
    EXPECT_EQ(x->res.header("Location"), r.location) << r.target;
  }
  // Over TLS nothing is redirected.
  EXPECT_EQ(send(*a, verb::get, "/", {{"Host", "app.example.com"}}, {.tls = true})->res.status(), 200u);
}

TEST(SecurityApp, TrustsForwardedProtoOnlyFromTrustedProxies) {
  const auto a = make_app({{"FORCE_HTTPS", "true"}, {"TRUSTED_PROXIES", "10.0.0.0/8"}});
  const testing::header_list fwd{{"Host", "app.example.com"}, {"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "198.51.100.4"}};
  // From the proxy: https, no redirect loop, the client's address.
  auto x = send(*a, verb::get, "/", fwd, {.address = "10.0.0.2"});
  EXPECT_EQ(x->res.status(), 200u);
  EXPECT_TRUE(x->res.has_header("Strict-Transport-Security"));
  EXPECT_NE(x->res.body().find("198.51.100.4"), std::string::npos);
  // The same headers straight from a client: ignored.
  x = send(*a, verb::get, "/", fwd, {.address = "198.51.100.77"});
  EXPECT_EQ(x->res.status(), 301u);
  EXPECT_FALSE(x->res.has_header("Strict-Transport-Security"));
}

TEST(SecurityApp, HostValidationExemptsProbes) {
  const auto a = make_app({{"SERVER_NAME", "app.example.com,.example.org"}});
  EXPECT_EQ(send(*a, verb::get, "/", {{"Host", "app.example.com"}})->res.status(), 200u);
  EXPECT_EQ(send(*a, verb::get, "/", {{"Host", "www.example.org"}})->res.status(), 200u);
  EXPECT_EQ(send(*a, verb::get, "/", {{"Host", "evil.example"}})->res.status(), 400u);
  EXPECT_EQ(send(*a, verb::get, "/api/v1/posts", {{"Host", "evil.example"}})->json().at("error"), "bad request");
  EXPECT_EQ(send(*a, verb::get, "/health", {{"Host", "10.0.0.9"}})->res.status(), 200u);
}

TEST(SecurityApp, ErrorPagesCarryHeadersAndANoncedStyle) {
  const auto a = make_app({});
  const auto x = send(*a, verb::get, "/missing", {{"Host", "localhost"}});
  EXPECT_EQ(x->res.status(), 404u);
  ASSERT_TRUE(x->req.csp_nonce_used());
  const std::string nonce(x->req.csp_nonce());
  EXPECT_NE(x->res.body().find("<style nonce=\"" + nonce + "\">"), std::string::npos) << x->res.body();
  EXPECT_NE(x->res.header("Content-Security-Policy").find("'nonce-" + nonce + "'"), std::string_view::npos);
  EXPECT_EQ(x->res.header("X-Content-Type-Options"), "nosniff");
}

TEST(SecurityApp, ReceivesCspReportsAtTheBuiltInEndpoint) {
  const auto a = make_app({});
  const char* report = R"({"csp-report":{"document-uri":"http://localhost/","effective-directive":"script-src","blocked-uri":"inline"}})";
  auto x = send(*a, verb::post, "/csp-report", {{"Host", "localhost"}, {"Content-Type", "application/csp-report"}}, {}, report);
  EXPECT_EQ(x->res.status(), 204u);
  x = send(*a, verb::post, "/csp-report", {{"Host", "localhost"}, {"Content-Type", "text/plain"}}, {}, report);
  EXPECT_EQ(x->res.status(), 415u);
  ASSERT_NE(a->csp_reports(), nullptr);
  EXPECT_EQ(a->csp_reports()->stats().received, 1u);
  const auto routes = a->routes();
  EXPECT_TRUE(std::any_of(routes.begin(), routes.end(), [](const route_info& r) { return r.pattern == "/csp-report"; }));
  // Turned off with CSP_REPORT_URI=off: no route, no report-uri.
  const auto off = make_app({{"CSP_REPORT_URI", "off"}});
  EXPECT_EQ(send(*off, verb::post, "/csp-report", {{"Host", "localhost"}}, {}, report)->res.status(), 404u);
  EXPECT_EQ(send(*off, verb::get, "/", {{"Host", "localhost"}})->res.header("Content-Security-Policy").find("report-uri"),
            std::string_view::npos);
}

TEST(SecurityApp, EachHeaderOptionReachesItsHeader) {
  struct row {
    std::map<std::string, std::string> values;
    const char* header;
    const char* expected;  // nullptr: the header is absent; else a substring of its value
    bool exact = false;    // the whole value
  };
  const row rows[] = {
      {{{"X_FRAME_OPTIONS", "DENY"}}, "X-Frame-Options", "DENY", true},
      {{{"X_FRAME_OPTIONS", "off"}}, "X-Frame-Options", nullptr},
      {{{"X_CONTENT_TYPE_OPTIONS", "off"}}, "X-Content-Type-Options", nullptr},
      {{{"REFERRER_POLICY", "no-referrer"}}, "Referrer-Policy", "no-referrer"},
      {{{"PERMISSIONS_POLICY", "geolocation=(self)"}}, "Permissions-Policy", "geolocation=(self)"},
      {{{"PERMISSIONS_POLICY", "off"}}, "Permissions-Policy", nullptr},
      {{{"CROSS_ORIGIN_OPENER_POLICY", "same-origin-allow-popups"}}, "Cross-Origin-Opener-Policy", "same-origin-allow-popups"},
      {{{"CROSS_ORIGIN_RESOURCE_POLICY", "same-site"}}, "Cross-Origin-Resource-Policy", "same-site"},
      {{}, "Cross-Origin-Embedder-Policy", nullptr},
      {{{"CROSS_ORIGIN_EMBEDDER_POLICY", "require-corp"}}, "Cross-Origin-Embedder-Policy", "require-corp"},
      {{}, "X-XSS-Protection", "0", true},
      {{{"X_XSS_PROTECTION", "1; mode=block"}}, "X-XSS-Protection", "1; mode=block"},
      {{{"X_XSS_PROTECTION", "off"}}, "X-XSS-Protection", nullptr},
      {{{"HSTS_MAX_AGE", "31536000"}, {"HSTS_INCLUDE_SUBDOMAINS", "false"}}, "Strict-Transport-Security", "max-age=31536000", true},
      {{{"HSTS", "false"}}, "Strict-Transport-Security", nullptr},
      {{{"CSP_IMG_SRC", "'self' https://img.example.com"}}, "Content-Security-Policy", "img-src 'self' https://img.example.com;"},
      {{{"CSP_FRAME_ANCESTORS", "'none'"}}, "Content-Security-Policy", "frame-ancestors 'none'"},
      {{{"CSP_STRICT_DYNAMIC", "true"}}, "Content-Security-Policy", "script-src 'self' 'strict-dynamic' 'nonce-"},
      {{{"CSP_ALLOW_UNSAFE_EVAL", "true"}}, "Content-Security-Policy", "'unsafe-eval'"},
      {{{"CSP_UPGRADE_INSECURE_REQUESTS", "true"}}, "Content-Security-Policy", "upgrade-insecure-requests"},
      {{{"CSP_REPORT_ONLY", "true"}}, "Content-Security-Policy", nullptr},
      {{{"CSP_REPORT_ONLY", "true"}}, "Content-Security-Policy-Report-Only", "default-src 'none'"},
      {{{"CSP_NONCE", "false"}}, "Content-Security-Policy", "script-src 'self';"},
      {{{"CSP", "false"}}, "Content-Security-Policy", nullptr},
      {{}, "Reporting-Endpoints", "csp-endpoint=\"/csp-report\""},
  };
  for (const auto& r : rows) {
    const auto a = make_app(r.values);
    const auto x = send(*a, verb::get, "/", {{"Host", "localhost"}}, {.tls = true});
    const std::string where = std::string(r.header) + " with " + (r.values.empty() ? "defaults" : r.values.begin()->first);
    if (!r.expected) {
      EXPECT_FALSE(x->res.has_header(r.header)) << where;
      continue;
    }
    if (r.exact) { EXPECT_EQ(x->res.header(r.header), r.expected) << where; }
    else EXPECT_NE(x->res.header(r.header).find(r.expected), std::string_view::npos) << where << ": " << x->res.header(r.header);
  }
}

TEST(SecurityApp, BlueprintsAndRoutesOverrideTheHeaderPolicy) {
  security_headers_options embeddable;
  embeddable.frame_options = "";
  embeddable.csp->set(csp_directive::frame_ancestors, {"https://partner.example"});
  security_headers_options no_referrer;
  no_referrer.referrer_policy = "no-referrer";
  blueprint widgets("widgets", "/widgets", {.headers = header_policy::make(embeddable)});
  widgets.get("/clock", [](request&, response& res) { res.text("12:00"); });
  widgets.get("/private", [](request&, response& res) { res.text("x"); }, {.headers = header_policy::make(no_referrer)});
  app a("t", test_config({}));
  a.get("/", [](request&, response& res) { res.text("home"); });
  a.register_blueprint(widgets);
  a.freeze();
  auto x = send(a, verb::get, "/widgets/clock", {{"Host", "localhost"}});
  EXPECT_FALSE(x->res.has_header("X-Frame-Options"));
  EXPECT_NE(x->res.header("Content-Security-Policy").find("frame-ancestors https://partner.example"), std::string_view::npos);
  x = send(a, verb::get, "/widgets/private", {{"Host", "localhost"}});
  EXPECT_EQ(x->res.header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(x->res.header("X-Frame-Options"), "SAMEORIGIN");
  x = send(a, verb::get, "/", {{"Host", "localhost"}});
  EXPECT_EQ(x->res.header("X-Frame-Options"), "SAMEORIGIN");
  EXPECT_EQ(x->res.header("Referrer-Policy"), "strict-origin-when-cross-origin");
}

TEST(SecurityApp, SecurityHeadersCanBeTurnedOffOnlyExplicitly) {
  const auto on = make_app({});
  EXPECT_TRUE(send(*on, verb::get, "/", {{"Host", "localhost"}})->res.has_header("Content-Security-Policy"));
  const auto off = make_app({{"SECURITY_HEADERS", "false"}});
  const auto x = send(*off, verb::get, "/", {{"Host", "localhost"}});
  EXPECT_FALSE(x->res.has_header("Content-Security-Policy"));
  EXPECT_FALSE(x->res.has_header("X-Content-Type-Options"));
}

TEST(SecurityApp, AnswersCorsPreflightsOnApiPaths) {
  const auto a = make_app({{"CORS_ORIGINS", "https://spa.example.com"}});
  auto x = send(*a, verb::options, "/api/v1/posts",
                {{"Host", "localhost"}, {"Origin", "https://spa.example.com"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(x->res.status(), 204u);
  EXPECT_EQ(x->res.header("Access-Control-Allow-Origin"), "https://spa.example.com");
  x = send(*a, verb::options, "/api/v1/posts",
           {{"Host", "localhost"}, {"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(x->res.status(), 403u);
}

TEST(SecuritySettings, ReportsEveryMistakeAsAConfigurationProblem) {
  struct row {
    std::map<std::string, std::string> values;
    const char* option;
  };
  const row rows[] = {
      {{{"TRUSTED_PROXIES", "10.0.0.1/8"}}, "TRUSTED_PROXIES"},
      {{{"TRUSTED_PROXIES", "proxy.internal"}}, "TRUSTED_PROXIES"},
      {{{"CORS_ORIGINS", "*"}, {"CORS_ALLOW_CREDENTIALS", "true"}}, "CORS_ORIGINS"},
      {{{"CORS_ORIGINS", "spa.example.com"}}, "CORS_ORIGINS"},
      {{{"SERVER_NAME", "example.com:443"}}, "SERVER_NAME"},
      {{{"CSP_SCRIPT_SRC", "self"}}, "CSP/headers"},
      {{{"CSP_DEFAULT_SRC", "'none' 'self'"}}, "CSP/headers"},
      {{{"TLS_CERT_FILE", "cert.pem"}}, "TLS_KEY_FILE"},
      {{{"HTTP_REDIRECT_PORT", "8080"}}, "HTTP_REDIRECT_PORT"},
      {{{"HSTS_PRELOAD", "true"}, {"HSTS_MAX_AGE", "600"}}, "CSP/headers"},
  };
  for (const auto& r : rows) {
    const app a("t", testing::test_config(r.values));
    const auto& problems = a.settings().problems();
    EXPECT_TRUE(std::any_of(problems.begin(), problems.end(), [&](const config_problem& p) { return p.option == r.option; }))
        << r.option << " (" << problems.size() << " problems)";
  }
  const app fine("t", testing::test_config({{"CSP_SCRIPT_SRC", "'self' https://cdn.example.com"},
                                            {"TRUSTED_PROXIES", "10.0.0.0/8, ::1"}}));
  EXPECT_TRUE(fine.settings().problems().empty());
  ASSERT_EQ(fine.security().proxy.trusted.size(), 2u);
  EXPECT_EQ(fine.security().headers.csp->get(csp_directive::script_src)->size(), 2u);
}

TEST(SecurityDeployChecks, FlagEachWeakSetting) {
  struct row {
    std::map<std::string, std::string> values;
    const char* id;
  };
  const row rows[] = {
      {{{"FORCE_HTTPS", "false"}}, "security.E001"},
      {{{"HSTS", "false"}}, "security.E002"},
      {{{"HSTS_MAX_AGE", "86400"}}, "security.E002"},
      {{{"CSP", "false"}}, "security.E003"},
      {{{"CSP_REPORT_ONLY", "true"}}, "security.E003"},
      {{{"CSP_ALLOW_UNSAFE_EVAL", "true"}}, "security.W001"},
      {{{"CSP_SCRIPT_SRC", "'self' 'unsafe-inline'"}, {"CSP_NONCE", "false"}}, "security.W001"},
      {{{"CSP_IMG_SRC", "*"}, {"CSP_SCRIPT_SRC", "*"}}, "security.W001"},
      {{}, "security.W002"},
      {{{"TRUSTED_PROXIES", "0.0.0.0/0"}}, "security.W003"},
      {{{"TLS_CERT_FILE", "/nonexistent/cert.pem"}, {"TLS_KEY_FILE", "/nonexistent/key.pem"}}, "security.E004"},
      {{{"HSTS_PRELOAD", "true"}}, "security.W004"},
      {{{"CORS_ORIGINS", "*"}}, "security.W005"},
      {{{"SECURITY_HEADERS", "false"}}, "security.E005"},
  };
  const auto checks = security_deploy_checks();
  for (const auto& r : rows) {
    const auto cfg = testing::test_config(r.values);
    const auto findings = run_deploy_checks(checks, cfg);
    EXPECT_TRUE(std::any_of(findings.begin(), findings.end(), [&](const deploy_finding& f) { return f.id == r.id; })) << r.id;
  }
  // A production configuration behind a trusted proxy passes all of them.
  const auto good = testing::test_config({{"APP_ENV", "production"}, {"TRUSTED_PROXIES", "10.0.0.0/8"}});
  for (const auto& f : run_deploy_checks(checks, good)) ADD_FAILURE() << f.id << ": " << f.message;
}

}  // namespace
}  // namespace bastion
