#include <bastion/security/content_security_policy.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bastion {
namespace {

using d = csp_directive;

TEST(ContentSecurityPolicy, StrictDefaultMeetsAsvsAndRendersInOrder) {
  const auto p = content_security_policy::strict_default();
  EXPECT_TRUE(p.problems().empty());
  EXPECT_TRUE(p.weaknesses().empty());
  EXPECT_EQ(p.render(),
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
            "connect-src 'self'; object-src 'none'; manifest-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
            "form-action 'self'");
}

TEST(ContentSecurityPolicy, AddsTheNonceToScriptAndStyleSourcesOnly) {
  auto p = content_security_policy::strict_default();
  const auto v = p.render("abc123");
  EXPECT_NE(v.find("script-src 'self' 'nonce-abc123';"), std::string::npos) << v;
  EXPECT_NE(v.find("style-src 'self' 'nonce-abc123';"), std::string::npos) << v;
  EXPECT_EQ(v.find("img-src 'self' 'nonce"), std::string::npos) << v;
  p.nonce_styles(false);
  EXPECT_EQ(p.render("abc123").find("style-src 'self' 'nonce"), std::string::npos);
}

TEST(ContentSecurityPolicy, ReportsMistakesBrowsersWouldMisread) {
  struct row {
    const char* name;
    d directive;
    std::vector<std::string> sources;
    const char* expected;  // substring of the problem; "" = valid
  };
  const row rows[] = {
      {"UnquotedSelf", d::script_src, {"self"}, "must be quoted"},
      {"UnquotedNone", d::object_src, {"none"}, "must be quoted"},
      {"UnquotedUnsafeInline", d::style_src, {"unsafe-inline"}, "must be quoted"},
      {"UnknownKeyword", d::script_src, {"'unsafe-everything'"}, "unknown keyword"},
      {"NoneWithOthers", d::img_src, {"'none'", "'self'"}, "must stand alone"},
      {"FixedNonce", d::script_src, {"'nonce-abc'"}, "fixed nonce"},
      {"SourceWithSpace", d::img_src, {"'self' https://a.example"}, "space"},
      {"SourceWithSemicolon", d::img_src, {"https://a.example;"}, "space"},
      {"KeywordWithoutMeaning", d::frame_ancestors, {"'unsafe-inline'"}, "no meaning"},
      {"HashInFrameAncestors", d::frame_ancestors, {"'sha256-abc='"}, "no meaning"},
      {"HashWithControlByte", d::script_src, {std::string("'sha256-\0'", 10)}, "unknown keyword"},
      {"BadSource", d::img_src, {"<script>"}, "not a valid source"},
      {"HostSource", d::img_src, {"https://cdn.example.com", "*.example.org", "data:"}, ""},
      {"HashSource", d::script_src, {"'self'", "'sha256-AbC+/=='"}, ""},
      {"Wildcard", d::img_src, {"*"}, ""},
  };
  for (const auto& r : rows) {
    auto p = content_security_policy::strict_default();
    p.set(r.directive, r.sources);
    const auto problems = p.problems();
    if (std::string_view(r.expected).empty()) {
      EXPECT_TRUE(problems.empty()) << r.name << ": " << (problems.empty() ? "" : problems.front());
      continue;
    }
    ASSERT_FALSE(problems.empty()) << r.name;
    EXPECT_NE(problems.front().find(r.expected), std::string::npos) << r.name << ": " << problems.front();
  }
}

TEST(ContentSecurityPolicy, ChecksNonceAndStrictDynamicCombinations) {
  auto p = content_security_policy::strict_default();
  p.set(d::script_src, {"'none'"});
  EXPECT_FALSE(p.problems().empty());  // nonces on, script-src 'none'
  p = content_security_policy::strict_default();
  p.set(d::script_src, {});
  EXPECT_FALSE(p.problems().empty());  // nonces on, no script-src
  p = content_security_policy::strict_default();
  p.nonce_scripts(false).add(d::script_src, "'strict-dynamic'");
  EXPECT_FALSE(p.problems().empty());  // strict-dynamic without nonce or hash
  p.nonce_scripts(true);
  EXPECT_TRUE(p.problems().empty());
  p.report_uri("not a url");
  EXPECT_FALSE(p.problems().empty());
  p.report_uri("/csp\x01report");
  EXPECT_FALSE(p.problems().empty());  // a control byte would go into the header
  p.report_uri("/csp-report").report_to("csp endpoint");
  EXPECT_FALSE(p.problems().empty());
}

TEST(ContentSecurityPolicy, NamesWeakSpotsForDeployChecks) {
  struct row {
    d directive;
    std::vector<std::string> sources;
    const char* weakness;
  };
  const row rows[] = {
      {d::script_src, {"'self'", "'unsafe-eval'"}, "unsafe-eval"},
      {d::default_src, {"'self'", "'unsafe-inline'"}, "unsafe-inline"},
      {d::script_src, {"*"}, "any site"},
      {d::script_src, {"https:"}, "any site"},
      {d::style_src, {"http://cdn.example.com"}, "plain http"},
      {d::base_uri, {}, "base-uri"},
      {d::frame_ancestors, {}, "frame-ancestors"},
  };
  for (const auto& r : rows) {
    auto p = content_security_policy::strict_default();
    p.set(r.directive, r.sources);
    const auto w = p.weaknesses();
    ASSERT_FALSE(w.empty()) << r.weakness;
    EXPECT_NE(w.front().find(r.weakness), std::string::npos) << w.front();
  }
  // 'unsafe-inline' next to a nonce is ignored by browsers that know nonces: not weak.
  auto p = content_security_policy::strict_default();
  p.add(d::script_src, "'unsafe-inline'");
  EXPECT_TRUE(p.weaknesses().empty());
}

TEST(ContentSecurityPolicy, DirectiveNamesRoundTrip) {
  for (std::size_t i = 0; i < csp_directive_count; ++i) {
    const auto dir = static_cast<d>(i);
    EXPECT_EQ(csp_directive_from(to_string(dir)), dir);
  }
  EXPECT_FALSE(csp_directive_from("scrpt-src"));
}

}  // namespace
}  // namespace bastion
