#pragma once
// A Content Security Policy, built from typed directives and validated before use.
//
//   auto csp = content_security_policy::strict_default();        // what Bastion sends
//   csp.set(csp_directive::img_src, {csp::self, "https://images.example.com"});
//   for (auto& p : csp.problems()) ...                            // "script-src: 'self' needs quotes"
//
// The default meets OWASP ASVS 5.0 3.4.3 and 3.4.6: default-src 'none', object-src 'none',
// base-uri 'none', frame-ancestors, and scripts and styles allowed only from the app's own
// origin or with this response's nonce. A nonce is added to script-src/style-src only
// for responses whose handler asked for one (request::csp_nonce()).
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

namespace csp {
inline constexpr std::string_view self = "'self'";
inline constexpr std::string_view none = "'none'";
inline constexpr std::string_view strict_dynamic = "'strict-dynamic'";
inline constexpr std::string_view unsafe_inline = "'unsafe-inline'";
inline constexpr std::string_view unsafe_eval = "'unsafe-eval'";
inline constexpr std::string_view report_sample = "'report-sample'";
}  // namespace csp

enum class csp_directive {
  default_src, script_src, style_src, img_src, font_src, connect_src, media_src, object_src,
  frame_src, child_src, worker_src, manifest_src, frame_ancestors, base_uri, form_action,
};
inline constexpr std::size_t csp_directive_count = 15;
std::string_view to_string(csp_directive d) noexcept;
std::optional<csp_directive> csp_directive_from(std::string_view name) noexcept;

class content_security_policy {
 public:
  // default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';
  // font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self';
  // frame-ancestors 'self'; base-uri 'none'; object-src 'none'; nonces for scripts and styles.
  static content_security_policy strict_default();

  // Replaces the directive's sources (an empty list removes the directive).
  content_security_policy& set(csp_directive d, std::vector<std::string> sources);
  content_security_policy& add(csp_directive d, std::string source);
  const std::vector<std::string>* get(csp_directive d) const noexcept;

  content_security_policy& nonce_scripts(bool on) { nonce_scripts_ = on; return *this; }
  content_security_policy& nonce_styles(bool on) { nonce_styles_ = on; return *this; }
  content_security_policy& report_uri(std::string uri) { report_uri_ = std::move(uri); return *this; }
  content_security_policy& report_to(std::string group) { report_to_ = std::move(group); return *this; }
  content_security_policy& upgrade_insecure_requests(bool on) { upgrade_ = on; return *this; }
  bool nonce_scripts() const noexcept { return nonce_scripts_; }
  bool nonce_styles() const noexcept { return nonce_styles_; }
  const std::string& report_uri() const noexcept { return report_uri_; }
  const std::string& report_to() const noexcept { return report_to_; }

  // Mistakes that make a browser ignore or misread the policy: unquoted keywords
  // (`self`), unknown quoted keywords, 'none' mixed with sources, 'strict-dynamic'
  // without a nonce, sources with spaces, semicolons or commas, nonces written into the
  // policy by hand. Empty means valid.
  std::vector<std::string> problems() const;
  // Weak spots a valid policy may still have (for `check --deploy`): 'unsafe-inline',
  // 'unsafe-eval', wildcards and http: sources in script-src/style-src/default-src/object-src.
  std::vector<std::string> weaknesses() const;

  // The header value; `nonce` ("" = none) goes into script-src/style-src as configured.
  std::string render(std::string_view nonce = {}) const;

 private:
  std::array<std::vector<std::string>, csp_directive_count> sources_{};
  bool nonce_scripts_ = false, nonce_styles_ = false, upgrade_ = false;
  std::string report_uri_, report_to_;
};

}  // namespace bastion
