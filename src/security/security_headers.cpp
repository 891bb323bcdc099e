#include <bastion/security/security_headers.hpp>

#include <bastion/routing/route.hpp>
#include <bastion/util/strings.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace bastion {
namespace {

bool one_of(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed)
    if (iequals(v, a)) return true;
  return false;
}

constexpr char nonce_mark = '\x01';

}  // namespace

std::vector<std::string> validate(const security_headers_options& o) {
  std::vector<std::string> out;
  auto check = [&](std::string_view header, const std::string& v, std::initializer_list<std::string_view> allowed) {
    if (!v.empty() && !one_of(v, allowed))
      out.push_back(fmt::format("{}: '{}' is not one of the values browsers understand", header, v));
  };
  check("X-Content-Type-Options", o.content_type_options, {"nosniff"});
  check("X-Frame-Options", o.frame_options, {"DENY", "SAMEORIGIN"});
  check("Referrer-Policy", o.referrer_policy,
        {"no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "same-origin",
         "strict-origin", "strict-origin-when-cross-origin", "unsafe-url"});
  check("Cross-Origin-Opener-Policy", o.cross_origin_opener_policy,
        {"same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"});
  check("Cross-Origin-Resource-Policy", o.cross_origin_resource_policy, {"same-origin", "same-site", "cross-origin"});
  check("Cross-Origin-Embedder-Policy", o.cross_origin_embedder_policy, {"require-corp", "credentialless", "unsafe-none"});
  check("X-XSS-Protection", o.xss_protection, {"0", "1", "1; mode=block"});
  for (char c : o.permissions_policy)
    if (c == '\r' || c == '\n' || c == '\0') out.push_back("Permissions-Policy contains a line break");
  if (o.hsts.enabled && o.hsts.max_age.count() < 0) out.push_back("HSTS max-age cannot be negative");
  if (o.hsts.preload && (o.hsts.max_age.count() < 31536000 || !o.hsts.include_subdomains))
    out.push_back("HSTS preload needs max-age of at least 31536000 and includeSubDomains (hstspreload.org rules)");
  if (o.csp) {
    for (auto& p : o.csp->problems()) out.push_back("Content-Security-Policy: " + p);
  }
  if (!o.reporting_endpoint.empty() &&
      (o.reporting_endpoint.find_first_of("\"\r\n ") != std::string::npos ||
       !(o.reporting_endpoint.front() == '/' || o.reporting_endpoint.starts_with("https://"))))
    out.push_back(fmt::format("reporting endpoint '{}' must be a path or an https URL", o.reporting_endpoint));
  return out;
}

std::shared_ptr<const header_policy> header_policy::make(security_headers_options options) {
  return std::make_shared<const header_policy>(std::move(options));
}

header_policy::header_policy(security_headers_options options) : options_(std::move(options)) {
  const auto problems = validate(options_);
  if (!problems.empty()) {
    std::string msg = "invalid security headers:";
    for (const auto& p : problems) msg += "\n  - " + p;
    throw std::invalid_argument(msg);
  }
  const auto& o = options_;
  auto fixed = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) fixed_.emplace_back(name, value);
  };
  fixed("X-Content-Type-Options", o.content_type_options);
  fixed("X-Frame-Options", o.frame_options);
  fixed("Referrer-Policy", o.referrer_policy);
  fixed("Permissions-Policy", o.permissions_policy);
  fixed("Cross-Origin-Opener-Policy", o.cross_origin_opener_policy);
  fixed("Cross-Origin-Resource-Policy", o.cross_origin_resource_policy);
  fixed("Cross-Origin-Embedder-Policy", o.cross_origin_embedder_policy);
  fixed("X-XSS-Protection", o.xss_protection);
  if (!o.reporting_endpoint.empty()) fixed("Reporting-Endpoints", fmt::format("csp-endpoint=\"{}\"", o.reporting_endpoint));
  if (o.hsts.enabled) {
    hsts_ = fmt::format("max-age={}", o.hsts.max_age.count());
    if (o.hsts.include_subdomains) hsts_ += "; includeSubDomains";
    if (o.hsts.preload) hsts_ += "; preload";
  }
  if (o.csp) {
    csp_name_ = o.csp_report_only ? "Content-Security-Policy-Report-Only" : "Content-Security-Policy";
    csp_plain_ = o.csp->render();
    // Render once with a marker where the nonce goes, then keep the pieces around it.
    const auto marked = o.csp->render(std::string_view(&nonce_mark, 1));
    std::size_t start = 0;
    for (auto pos = marked.find(nonce_mark); pos != std::string::npos; pos = marked.find(nonce_mark, start)) {
      csp_parts_.push_back(marked.substr(start, pos - start));
      start = pos + 1;
    }
    csp_parts_.push_back(marked.substr(start));
  }
}

void header_policy::apply(request& req, response& res) const {
  for (const auto& [name, value] : fixed_) res.set_header_if_absent(name, value);
  if (!hsts_.empty() && (req.is_secure() || options_.hsts.on_plain_http))
    res.set_header_if_absent("Strict-Transport-Security", hsts_);
  if (csp_name_.empty() || res.has_header(csp_name_)) return;
  if (!req.csp_nonce_used()) {
    res.add_header(csp_name_, csp_plain_);
    return;
  }
  const auto nonce = req.csp_nonce();
  thread_local std::string value;
  value.clear();
  for (std::size_t i = 0; i < csp_parts_.size(); ++i) {
    if (i) value += nonce;
    value += csp_parts_[i];
  }
  res.add_header(csp_name_, value);
}

middleware security_headers_layer(std::shared_ptr<const header_policy> policy) {
  middleware m;
  m.name = "security_headers (HSTS, CSP, X-Content-Type-Options, ...)";
  m.applies_to_probes = true;
  m.fn = [policy = std::move(policy)](request& req, response& res, const next_fn& next) {
    next(req, res);
    const auto* r = req.matched_route();
    const auto& p = r && r->options.headers ? *r->options.headers : *policy;
    p.apply(req, res);
  };
  return m;
}

}  // namespace bastion
