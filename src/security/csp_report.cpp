#include <bastion/security/csp_report.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/util/random.hpp>
#include <bastion/util/strings.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <mutex>
#include <unordered_map>

namespace bastion {
namespace {

namespace json = boost::json;

constexpr std::size_t max_reports_per_body = 32;
constexpr std::size_t max_field = 512;

std::string_view media_type(std::string_view content_type) {
  return trim_ows(content_type.substr(0, content_type.find(';')));
}

std::string field(const json::object& o, std::initializer_list<std::string_view> keys, bool strip_query) {
  for (auto k : keys) {
    const auto* v = o.if_contains(k);
    if (!v || !v->is_string()) continue;
    std::string_view s = v->get_string();
    if (strip_query) s = s.substr(0, s.find_first_of("?#"));
    return std::string(s.substr(0, max_field));
  }
  return {};
}

std::int64_t number(const json::object& o, std::initializer_list<std::string_view> keys) {
  for (auto k : keys)
    if (const auto* v = o.if_contains(k); v && v->is_int64()) return v->get_int64();
  return 0;
}

// Both formats name the same facts differently (report-uri: kebab-case, Reporting API: camelCase).
csp_violation from_body(const json::object& b) {
  csp_violation v;
  v.document = field(b, {"document-uri", "documentURL"}, true);
  v.directive = field(b, {"effective-directive", "effectiveDirective", "violated-directive"}, false);
  v.blocked = field(b, {"blocked-uri", "blockedURL"}, true);
  v.source = field(b, {"source-file", "sourceFile"}, true);
  v.line = number(b, {"line-number", "lineNumber"});
  v.disposition = field(b, {"disposition"}, false);
  return v;
}

}  // namespace

boost::system::result<std::vector<csp_violation>> parse_csp_reports(std::string_view content_type,
                                                                    std::string_view body) {
  const auto type = media_type(content_type);
  const bool legacy = iequals(type, "application/csp-report");
  const bool reporting = iequals(type, "application/reports+json");
  if (!legacy && !reporting && !iequals(type, "application/json"))
    return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
  json::parse_options po;
  po.max_depth = 8;
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec, {}, po);
  if (ec) return ec;
  std::vector<csp_violation> out;
  if (doc.is_object()) {  // report-uri format
    const auto* r = doc.as_object().if_contains("csp-report");
    if (!r || !r->is_object()) return boost::system::errc::make_error_code(boost::system::errc::bad_message);
    out.push_back(from_body(r->as_object()));
  } else if (doc.is_array()) {  // Reporting API: a batch, possibly of other report types
    if (doc.as_array().size() > max_reports_per_body)
      return boost::system::errc::make_error_code(boost::system::errc::message_size);
    for (const auto& item : doc.as_array()) {
      if (!item.is_object()) return boost::system::errc::make_error_code(boost::system::errc::bad_message);
      const auto& o = item.as_object();
      const auto* type_v = o.if_contains("type");
      const auto* body_v = o.if_contains("body");
      if (!type_v || !type_v->is_string() || !body_v || !body_v->is_object()) continue;
      if (type_v->get_string() != "csp-violation") continue;
      out.push_back(from_body(body_v->as_object()));
    }
  } else {
    return boost::system::errc::make_error_code(boost::system::errc::bad_message);
  }
  return out;
}

struct csp_report_receiver::state {
  csp_report_options o;
  mutable std::mutex m;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> seen;
  std::chrono::steady_clock::time_point minute_start{};
  unsigned logged_this_minute = 0;
  std::atomic<std::uint64_t> received{0}, logged{0}, duplicates{0}, sampled_out{0}, throttled{0}, invalid{0};

  // Decides, under the lock, whether this violation gets a log line.
  bool should_log(const csp_violation& v) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(m);
    std::string key = v.directive + '\x1f' + v.blocked + '\x1f' + v.document;
    if (auto it = seen.find(key); it != seen.end() && now - it->second < o.dedupe_window) {
      ++duplicates;
      return false;
    }
    if (seen.size() >= o.dedupe_capacity) {
      for (auto it = seen.begin(); it != seen.end();)
        it = now - it->second >= o.dedupe_window ? seen.erase(it) : std::next(it);
      if (seen.size() >= o.dedupe_capacity) seen.clear();  // a flood of distinct reports: start over
    }
    seen[std::move(key)] = now;
    if (o.sample_percent < 100) {
      unsigned char r = 0;
      random_bytes({&r, 1});
      if (r % 100 >= o.sample_percent) {
        ++sampled_out;
        return false;
      }
    }
    if (now - minute_start >= std::chrono::minutes(1)) {
      minute_start = now;
      logged_this_minute = 0;
    }
    if (logged_this_minute >= o.max_logged_per_minute) {
      ++throttled;
      return false;
    }
    ++logged_this_minute;
    return true;
  }
};

csp_report_receiver::csp_report_receiver(csp_report_options options) : s_(std::make_unique<state>()) {
  s_->o = options;
}

csp_report_receiver::~csp_report_receiver() = default;

void csp_report_receiver::handle(request& req, response& res) {
  const auto type = media_type(req.header("content-type"));
  if (!iequals(type, "application/csp-report") && !iequals(type, "application/reports+json") &&
      !iequals(type, "application/json"))
    throw http_error(415);
  auto reports = parse_csp_reports(type, req.body());
  if (!reports) {
    ++s_->invalid;
    throw http_error(400);
  }
  for (const auto& v : *reports) {
    ++s_->received;
    if (!s_->should_log(v)) continue;
    ++s_->logged;
    log::warn("security.csp", "csp_violation",
              {{"request_id", req.request_id()},
               {"client", req.client_address()},
               {"document", v.document},
               {"directive", v.directive},
               {"blocked", v.blocked},
               {"source", v.source},
               {"line", v.line},
               {"disposition", v.disposition},
               {"received_total", s_->received.load()}});
  }
  res.status(204);
}

csp_report_stats csp_report_receiver::stats() const {
  return {s_->received.load(), s_->logged.load(), s_->duplicates.load(),
          s_->sampled_out.load(), s_->throttled.load(), s_->invalid.load()};
}

}  // namespace bastion
