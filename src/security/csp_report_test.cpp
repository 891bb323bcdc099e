#include <bastion/security/csp_report.hpp>

#include <bastion/http/http_error.hpp>

#include <gtest/gtest.h>

#include <string>

namespace bastion {
namespace {

constexpr const char* legacy_report = R"({"csp-report":{"document-uri":"https://app.example/posts?token=secret",
  "violated-directive":"script-src-elem","effective-directive":"script-src-elem","blocked-uri":"inline",
  "source-file":"https://app.example/static/app.js?v=1","line-number":12,"disposition":"enforce"}})";

constexpr const char* reporting_api = R"([{"type":"csp-violation","age":1,"url":"https://app.example/",
  "body":{"documentURL":"https://app.example/#frag","effectiveDirective":"img-src","blockedURL":"https://evil.example/x.png?q=1",
  "disposition":"report","lineNumber":3}},{"type":"deprecation","body":{"id":"x"}}])";

TEST(CspReports, ParsesBothBrowserFormatsAndStripsQueries) {
  auto legacy = parse_csp_reports("application/csp-report", legacy_report);
  ASSERT_TRUE(legacy);
  ASSERT_EQ(legacy->size(), 1u);
  EXPECT_EQ((*legacy)[0].document, "https://app.example/posts");
  EXPECT_EQ((*legacy)[0].directive, "script-src-elem");
  EXPECT_EQ((*legacy)[0].blocked, "inline");
  EXPECT_EQ((*legacy)[0].source, "https://app.example/static/app.js");
  EXPECT_EQ((*legacy)[0].line, 12);

  auto batch = parse_csp_reports("application/reports+json; charset=utf-8", reporting_api);
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->size(), 1u);  // the deprecation report is not a CSP violation
  EXPECT_EQ((*batch)[0].document, "https://app.example/");
  EXPECT_EQ((*batch)[0].directive, "img-src");
  EXPECT_EQ((*batch)[0].blocked, "https://evil.example/x.png");
  EXPECT_EQ((*batch)[0].disposition, "report");
}

TEST(CspReports, RefusesOtherTypesAndMalformedBodies) {
  struct row {
    const char* type;
    std::string body;
  };
  const row rows[] = {
      {"text/plain", legacy_report},
      {"application/x-www-form-urlencoded", "a=b"},
      {"application/csp-report", "{not json"},
      {"application/csp-report", R"({"other":{}})"},
      {"application/csp-report", R"("string")"},
      {"application/reports+json", R"([1,2,3])"},
      {"application/csp-report", std::string(100, '[') + std::string(100, ']')},
  };
  for (const auto& r : rows) EXPECT_FALSE(parse_csp_reports(r.type, r.body)) << r.type << " " << r.body.substr(0, 20);
  std::string many = "[";
  for (int i = 0; i < 40; ++i) many += std::string(i ? "," : "") + R"({"type":"csp-violation","body":{}})";
  many += "]";
  EXPECT_FALSE(parse_csp_reports("application/reports+json", many));
}

std::unique_ptr<response> post(csp_report_receiver& r, std::string_view type, std::string_view body) {
  auto res = std::make_unique<response>();
  request req;
  req.set_peer("203.0.113.5", true);
  EXPECT_TRUE(req.set_start_line(http::verb::post, "POST", "/csp-report", 11));
  req.add_header("Content-Type", type);
  req.body_buffer().assign(body);
  r.handle(req, *res);
  return res;
}

TEST(CspReportReceiver, AnswersNoContentAndCountsDuplicatesOnce) {
  csp_report_receiver r;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(post(r, "application/csp-report", legacy_report)->status(), 204u);
  EXPECT_EQ(post(r, "application/reports+json", reporting_api)->status(), 204u);
  const auto s = r.stats();
  EXPECT_EQ(s.received, 6u);
  EXPECT_EQ(s.logged, 2u);
  EXPECT_EQ(s.duplicates, 4u);
}

TEST(CspReportReceiver, RejectsWrongTypesAndBadBodies) {
  csp_report_receiver r;
  try {
    post(r, "text/html", "<html>");
    FAIL() << "expected 415";
  } catch (const http_error& e) {
    EXPECT_EQ(e.status(), 415u);
  }
  try {
    post(r, "application/csp-report", "{");
    FAIL() << "expected 400";
  } catch (const http_error& e) {
    EXPECT_EQ(e.status(), 400u);
  }
  EXPECT_EQ(r.stats().invalid, 1u);
}

TEST(CspReportReceiver, SamplesAndCapsLogLines) {
  csp_report_options none;
  none.sample_percent = 0;
  csp_report_receiver sampled(none);
  post(sampled, "application/csp-report", legacy_report);
  EXPECT_EQ(sampled.stats().logged, 0u);
  EXPECT_EQ(sampled.stats().sampled_out, 1u);

  csp_report_options capped;
  capped.max_logged_per_minute = 3;
  csp_report_receiver r(capped);
  for (int i = 0; i < 10; ++i) {
    const std::string body = R"({"csp-report":{"document-uri":"https://a.example/p)" + std::to_string(i) +
                             R"(","effective-directive":"img-src","blocked-uri":"data"}})";
    post(r, "application/csp-report", body);
  }
  EXPECT_EQ(r.stats().logged, 3u);
  EXPECT_EQ(r.stats().throttled, 7u);
}

}  // namespace
}  // namespace bastion
