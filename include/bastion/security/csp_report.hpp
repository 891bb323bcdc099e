#pragma once
// The built-in receiver for CSP violation reports (POST /csp-report).
//
// Accepts the two formats browsers send: `application/csp-report` ({"csp-report": {...}},
// report-uri) and the Reporting API's `application/reports+json` ([{"type":"csp-violation",
// "body": {...}}, ...], report-to). Reports are size-capped (413), de-duplicated (one log
// line per directive + blocked resource + page within a window, the rest counted),
// sampled, throttled, and logged as structured security events with query strings
// stripped from every URL (they may carry tokens). The client always gets 204, so the
// endpoint tells an attacker nothing.
#include <bastion/http/request.hpp>
#include <bastion/http/response.hpp>

#include <boost/system/result.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bastion {

struct csp_violation {
  std::string document;   // page URL, without query or fragment
  std::string directive;  // effective (or violated) directive
  std::string blocked;    // blocked URL (no query) or "inline", "eval", ...
  std::string source;     // script file, without query
  std::int64_t line = 0;
  std::string disposition;  // "enforce" or "report"
};

// Parses a report body. Fails for a content type other than the two report types (and
// application/json) and for malformed or oversized structures.
boost::system::result<std::vector<csp_violation>> parse_csp_reports(std::string_view content_type,
                                                                    std::string_view body);

struct csp_report_options {
  unsigned sample_percent = 100;            // share of new violations logged
  std::chrono::seconds dedupe_window{600};  // a repeat within this window is only counted
  std::size_t dedupe_capacity = 4096;       // distinct violations remembered
  unsigned max_logged_per_minute = 120;     // hard cap on log lines
};

struct csp_report_stats {
  std::uint64_t received = 0;    // violations parsed
  std::uint64_t logged = 0;      // written to the log
  std::uint64_t duplicates = 0;  // seen within the window
  std::uint64_t sampled_out = 0;
  std::uint64_t throttled = 0;   // over max_logged_per_minute
  std::uint64_t invalid = 0;     // bodies that did not parse
};

class csp_report_receiver {
 public:
  explicit csp_report_receiver(csp_report_options options = {});
  ~csp_report_receiver();
  csp_report_receiver(const csp_report_receiver&) = delete;
  csp_report_receiver& operator=(const csp_report_receiver&) = delete;

  // The route handler: 204 for reports, 415 for another content type, 400 for a body
  // that does not parse.
  void handle(request& req, response& res);
  csp_report_stats stats() const;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace bastion
