#include <bastion/security/security_headers.hpp>

#include <bastion/routing/route.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace bastion {
namespace {

struct run_result {
  response res;
  std::string nonce;
};

// Runs the layer around `endpoint` for a request over http or https.
std::unique_ptr<run_result> run(const middleware& layer, bool https, const handler& endpoint,
                                const route* matched = nullptr) {
  auto out = std::make_unique<run_result>();
  request req;
  req.set_peer("203.0.113.5", https);
  EXPECT_TRUE(req.set_start_line(http::verb::get, "GET", "/", 11));
  req.set_route(matched);
  pipeline p{{&layer}, &endpoint, [](request&, response&, std::exception_ptr) {}};
  next_fn(p, 0)(req, out->res);
  if (req.csp_nonce_used()) out->nonce = std::string(req.csp_nonce());
  return out;
}

const handler plain = [](request&, response& res) { res.text("ok"); };
const handler uses_nonce = [](request& req, response& res) { res.html("<script nonce=\"" + std::string(req.csp_nonce()) + "\"></script>"); };

TEST(SecurityHeaders, SendsTheSecureDefaultsOnEveryResponse) {
  const auto layer = security_headers_layer(header_policy::make({}));
  const auto r = run(layer, true, plain);
  struct row {
    const char* header;
    const char* value;
  };
  const row rows[] = {
      {"Strict-Transport-Security", "max-age=63072000; includeSubDomains"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "SAMEORIGIN"},
      {"Referrer-Policy", "strict-origin-when-cross-origin"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"X-XSS-Protection", "0"},
  };
  for (const auto& row : rows) EXPECT_EQ(r->res.header(row.header), row.value) << row.header;
  EXPECT_FALSE(r->res.has_header("Cross-Origin-Embedder-Policy"));  // opt-in
  EXPECT_NE(r->res.header("Permissions-Policy").find("camera=()"), std::string_view::npos);
  const auto csp = r->res.header("Content-Security-Policy");
  for (const char* part : {"default-src 'none'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'"})
    EXPECT_NE(csp.find(part), std::string_view::npos) << part << " in " << csp;
  EXPECT_EQ(csp.find("nonce-"), std::string_view::npos) << "no nonce when the handler used none";
}

TEST(SecurityHeaders, HstsOnlyOverHttpsUnlessAskedForEverywhere) {
  security_headers_options o;
  EXPECT_FALSE(run(security_headers_layer(header_policy::make(o)), false, plain)->res.has_header("Strict-Transport-Security"));
  o.hsts.on_plain_http = true;
  EXPECT_TRUE(run(security_headers_layer(header_policy::make(o)), false, plain)->res.has_header("Strict-Transport-Security"));
  o.hsts.enabled = false;
  EXPECT_FALSE(run(security_headers_layer(header_policy::make(o)), true, plain)->res.has_header("Strict-Transport-Security"));
  security_headers_options preload;
  preload.hsts.preload = true;
  EXPECT_EQ(run(security_headers_layer(header_policy::make(preload)), true, plain)->res.header("Strict-Transport-Security"),
            "max-age=63072000; includeSubDomains; preload");
}

TEST(SecurityHeaders, PutsAFreshNonceInTheCspOfResponsesThatUsedOne) {
  const auto layer = security_headers_layer(header_policy::make({}));
  const auto a = run(layer, true, uses_nonce);
  const auto b = run(layer, true, uses_nonce);
  ASSERT_FALSE(a->nonce.empty());
  EXPECT_GE(a->nonce.size(), 22u);  // 128 bits, base64
  EXPECT_NE(a->nonce, b->nonce);
  const auto csp = a->res.header("Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self' 'nonce-" + a->nonce + "'"), std::string_view::npos) << csp;
  EXPECT_NE(csp.find("style-src 'self' 'nonce-" + a->nonce + "'"), std::string_view::npos) << csp;
  EXPECT_NE(a->res.body().find(a->nonce), std::string::npos);
}

TEST(SecurityHeaders, KeepsHeadersTheHandlerChose) {
  const auto layer = security_headers_layer(header_policy::make({}));
  const handler own = [](request&, response& res) {
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Content-Security-Policy", "default-src 'self'");
  };
  const auto r = run(layer, true, own);
  EXPECT_EQ(r->res.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(r->res.header("Content-Security-Policy"), "default-src 'self'");
}

TEST(SecurityHeaders, RouteOverrideReplacesTheAppPolicy) {
  const auto layer = security_headers_layer(header_policy::make({}));
  security_headers_options embeddable;
  embeddable.frame_options = "";
  embeddable.csp->set(csp_directive::frame_ancestors, {"https://partner.example"});
  route r;
  r.options.headers = header_policy::make(embeddable);
  const auto res = run(layer, true, plain, &r);
  EXPECT_FALSE(res->res.has_header("X-Frame-Options"));
  EXPECT_NE(res->res.header("Content-Security-Policy").find("frame-ancestors https://partner.example"), std::string_view::npos);
}

TEST(SecurityHeaders, ReportOnlyAndReportingEndpoint) {
  security_headers_options o;
  o.csp_report_only = true;
  o.csp->report_uri("/csp-report").report_to("csp-endpoint");
  o.reporting_endpoint = "/csp-report";
  const auto r = run(security_headers_layer(header_policy::make(o)), true, plain);
  EXPECT_FALSE(r->res.has_header("Content-Security-Policy"));
  const auto v = r->res.header("Content-Security-Policy-Report-Only");
  EXPECT_NE(v.find("report-uri /csp-report; report-to csp-endpoint"), std::string_view::npos) << v;
  EXPECT_EQ(r->res.header("Reporting-Endpoints"), "csp-endpoint=\"/csp-report\"");
}

TEST(SecurityHeaders, RefusesValuesBrowsersDoNotUnderstand) {
  struct row {
    const char* name;
    void (*change)(security_headers_options&);
  };
  const row rows[] = {
      {"XfoAllowFrom", [](security_headers_options& o) { o.frame_options = "ALLOW-FROM https://a.example"; }},
      {"ReferrerTypo", [](security_headers_options& o) { o.referrer_policy = "strict-origin-when-crossorigin"; }},
      {"CorpTypo", [](security_headers_options& o) { o.cross_origin_resource_policy = "same"; }},
      {"CoepTypo", [](security_headers_options& o) { o.cross_origin_embedder_policy = "require_corp"; }},
      {"PreloadTooShort", [](security_headers_options& o) { o.hsts.preload = true; o.hsts.max_age = std::chrono::seconds(86400); }},
      {"CspUnquoted", [](security_headers_options& o) { o.csp->set(csp_directive::script_src, {"self"}); }},
      {"EndpointQuote", [](security_headers_options& o) { o.reporting_endpoint = "/r\"x"; }},
      {"PermissionsNewline", [](security_headers_options& o) { o.permissions_policy = "camera=()\r\nX: y"; }},
  };
  for (const auto& r : rows) {
    security_headers_options o;
    r.change(o);
    EXPECT_FALSE(validate(o).empty()) << r.name;
    EXPECT_THROW(header_policy::make(o), std::invalid_argument) << r.name;
  }
  EXPECT_TRUE(validate(security_headers_options{}).empty());
}

}  // namespace
}  // namespace bastion
