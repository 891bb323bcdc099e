// CSP violation reports (parse_csp_reports) and the policy builder's validation
// (content_security_policy).
//
// The input is a report body, parsed as each accepted content type (with and without
// parameters): every type gives the same answer, other types are refused, and a parsed
// batch holds at most 32 reports whose fields are at most 512 bytes, with no query or
// fragment left in the document, blocked and source URLs; a report-uri object yields
// exactly one report.
//
// The same input, split on spaces like the CSP_* settings, becomes the script-src
// sources of the strict default policy ("report-uri=X", "report-to=X" and "nonce-off"
// words set those options instead). problems(), weaknesses() and render() never fail,
// and when problems() finds nothing the rendered header holds no control byte and splits
// on ';' into exactly the directives that were set, each source a single word.
#include "fuzz_check.hpp"

#include <bastion/security/content_security_policy.hpp>
#include <bastion/security/csp_report.hpp>
#include <bastion/util/strings.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>


namespace {

std::string describe(const boost::system::result<std::vector<bastion::csp_violation>>& r) {
  if (!r) return "error";
  std::string out;
  for (const auto& v : *r)
    out += v.document + '\x1f' + v.directive + '\x1f' + v.blocked + '\x1f' + v.source + '\x1f' +
           std::to_string(v.line) + '\x1f' + v.disposition + '\x1e';
  return out;
}

void check_reports(std::string_view body) {
  const auto r = bastion::parse_csp_reports("application/csp-report", body);
  const auto first = describe(r);
  for (std::string_view type : {"application/reports+json", "application/json", "Application/CSP-Report; charset=utf-8",
                                "application/reports+json;charset=UTF-8"})
    FUZZ_CHECK(describe(bastion::parse_csp_reports(type, body)) == first);
  FUZZ_CHECK(!bastion::parse_csp_reports("text/plain", body));
  FUZZ_CHECK(!bastion::parse_csp_reports("", body));
  if (!r) return;
  FUZZ_CHECK(r->size() <= 32);
  const auto start = bastion::trim_ows(body);
  if (start.starts_with('{')) FUZZ_CHECK(r->size() == 1);
  for (const auto& v : *r) {
    for (const std::string* s : {&v.document, &v.blocked, &v.source})
      FUZZ_CHECK(s->size() <= 512 && s->find_first_of("?#") == std::string::npos);
    FUZZ_CHECK(v.directive.size() <= 512 && v.disposition.size() <= 512);
  }
}

bool known_piece(std::string_view piece) {
  const auto sp = piece.find(' ');
  const auto name = piece.substr(0, sp);
  if (name == "upgrade-insecure-requests") return sp == std::string_view::npos;
  if (sp == std::string_view::npos || sp + 1 == piece.size()) return false;
  return bastion::csp_directive_from(name).has_value() || name == "report-uri" || name == "report-to";
}

void check_policy(std::string_view in) {
  auto policy = bastion::content_security_policy::strict_default();
  std::vector<std::string> sources;
  for (auto word : bastion::split_list(in, ' ')) {
    if (sources.size() >= 64) break;
    if (word.starts_with("report-uri=")) policy.report_uri(std::string(word.substr(11)));
    else if (word.starts_with("report-to=")) policy.report_to(std::string(word.substr(10)));
    else if (word == "nonce-off") policy.nonce_scripts(false);
    else if (!word.empty()) sources.emplace_back(word);
  }
  policy.set(bastion::csp_directive::script_src, sources);

  const auto problems = policy.problems();
  FUZZ_CHECK(policy.problems() == problems);
  const auto weaknesses = policy.weaknesses();
  const auto header = policy.render("abc");
  const auto plain = policy.render();
  FUZZ_CHECK(!header.empty() && !plain.empty());
  if (!sources.empty()) {
    std::string expected = "script-src";
    for (const auto& s : sources) expected += ' ' + s;
    FUZZ_CHECK(header.find(expected) != std::string::npos);
  }
  for (const auto& s : sources)
    if (s == bastion::csp::unsafe_eval) {
      bool found = false;
      for (const auto& w : weaknesses) found = found || w == "script-src allows 'unsafe-eval'";
      FUZZ_CHECK(found);
    }
  if (!problems.empty()) return;

  for (const auto* text : {&header, &plain})
    for (unsigned char c : *text) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
  for (const auto& s : sources) FUZZ_CHECK(!s.empty() && s.find_first_of(" ;,") == std::string::npos);
  std::size_t directives = 0;
  for (std::size_t i = 0; i < bastion::csp_directive_count; ++i)
    directives += policy.get(static_cast<bastion::csp_directive>(i)) != nullptr;
  directives += !policy.report_uri().empty() + !policy.report_to().empty();
  std::size_t pieces = 0;
  std::string_view rest = header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    auto piece = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    if (pieces > 0) {
      FUZZ_CHECK(piece.starts_with(' '));
      piece.remove_prefix(1);
    }
    FUZZ_CHECK(known_piece(piece));
    ++pieces;
  }
  FUZZ_CHECK(pieces == directives);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_reports(input);
  check_policy(input);
  return 0;
}
