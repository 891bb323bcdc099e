#pragma once
// The security response headers, compiled once from typed options and added to every
// response (errors and redirects included) unless the handler set that header itself.
//
// Defaults (OWASP Secure Headers Project and ASVS 5.0 3.4, with two deliberate choices):
//   Strict-Transport-Security: max-age=63072000; includeSubDomains   (https only, see hsts_options)
//   Content-Security-Policy: content_security_policy::strict_default() + per-response nonce
//   X-Content-Type-Options: nosniff
//   X-Frame-Options: SAMEORIGIN            (matches frame-ancestors 'self'; DENY/'none' for apps never framed)
//   Referrer-Policy: strict-origin-when-cross-origin   (private, and keeps Origin-based CSRF checks working)
//   Permissions-Policy: powerful features off (camera, microphone, geolocation, payment, usb, ...)
//   Cross-Origin-Opener-Policy: same-origin
//   Cross-Origin-Resource-Policy: same-origin
//   Cross-Origin-Embedder-Policy: not sent (opt-in: it breaks cross-origin embeds without CORP)
//   X-XSS-Protection: 0   (the old XSS auditor was removed from browsers and its "1; mode=block"
//                          could be abused to blank pages or leak data; CSP replaces it)
//
// An empty string turns a header off. A route or blueprint overrides the whole policy
// with route_options::headers (build one with header_policy::make).
#include <bastion/app/middleware.hpp>
#include <bastion/security/content_security_policy.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bastion {

struct hsts_options {
  bool enabled = true;
  std::chrono::seconds max_age{63072000};  // two years; at least 1 year for ASVS 3.4.1
  bool include_subdomains = true;
  bool preload = false;       // opt-in: the preload list is hard to leave
  bool on_plain_http = false; // also on plain-http responses (browsers ignore it there, RFC 6797 8.1);
                              // on in production so every response carries it
};

struct security_headers_options {
  hsts_options hsts;
  std::optional<content_security_policy> csp = content_security_policy::strict_default();
  bool csp_report_only = false;       // send Content-Security-Policy-Report-Only instead
  std::string reporting_endpoint;     // URL for `Reporting-Endpoints: csp-endpoint="..."` ("" = none)
  std::string content_type_options = "nosniff";
  std::string frame_options = "SAMEORIGIN";  // DENY, SAMEORIGIN or ""
  std::string referrer_policy = "strict-origin-when-cross-origin";
  std::string permissions_policy =
      "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
      "microphone=(), midi=(), payment=(), usb=(), xr-spatial-tracking=()";
  std::string cross_origin_opener_policy = "same-origin";
  std::string cross_origin_resource_policy = "same-origin";
  std::string cross_origin_embedder_policy;  // require-corp or credentialless (opt-in)
  std::string xss_protection = "0";
};

// Values a browser would reject or misread, one message each (empty = valid).
std::vector<std::string> validate(const security_headers_options& options);

class header_policy {
 public:
  // Throws std::invalid_argument listing every problem of `options`.
  static std::shared_ptr<const header_policy> make(security_headers_options options);
  explicit header_policy(security_headers_options options);

  // Adds the headers to `res` (keeping any the handler set), with this response's
  // nonce in the CSP when the handler used one.
  void apply(request& req, response& res) const;
  const security_headers_options& options() const noexcept { return options_; }
  // The CSP header value without a nonce ("" when no CSP is sent).
  const std::string& csp_value() const noexcept { return csp_plain_; }

 private:
  security_headers_options options_;
  std::vector<std::pair<std::string_view, std::string>> fixed_;  // always sent
  std::string hsts_;
  std::string_view csp_name_;
  std::string csp_plain_;
  std::vector<std::string> csp_parts_;  // the value split where the nonce goes
};

// The layer: app-wide policy, replaced by route_options::headers where a route has one.
middleware security_headers_layer(std::shared_ptr<const header_policy> policy);

}  // namespace bastion
