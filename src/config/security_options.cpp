// The options of the transport and browser-security layers: TLS, HTTPS enforcement,
// HSTS, security headers, CSP, trusted proxies and CORS. Read by security_settings_from.
#include <bastion/config/config.hpp>

#include "config/option_helpers.hpp"

namespace bastion {
namespace {
using namespace detail;
using o = option_type;

option_spec header(std::string name, std::string def, std::string description, std::vector<std::string> values) {
  values.push_back("off");
  return choices(spec(std::move(name), o::string, std::move(def), std::move(description) + " (off = not sent)"),
                 std::move(values));
}

option_spec hops(std::string name, std::string def, std::string header) {
  return bounded(spec(std::move(name), o::integer, std::move(def),
                      "how many trusted proxies in front of the app set " + header + " (0 = ignore it)"),
                 0, 16);
}

}  // namespace

std::vector<option_spec> security_options() {
  std::vector<option_spec> v;
  // Transport.
  v.push_back(spec("TLS_CERT_FILE", o::string, "", "PEM certificate chain; with TLS_KEY_FILE the listener speaks TLS 1.2/1.3 only (SIGHUP reloads)"));
  v.push_back(secret(spec("TLS_KEY_FILE", o::string, "", "PEM private key for TLS_CERT_FILE")));
  v.push_back(bounded(spec("HTTP_REDIRECT_PORT", o::integer, "0", "plain-http listener on HOST that only redirects to https (0 = none)"), 0, 65535));
  v.push_back(bounded(spec("HTTPS_PORT", o::integer, "0", "port in https redirects (0 = PORT when TLS is on here, else 443)"), 0, 65535));
  v.push_back(in_production(spec("FORCE_HTTPS", o::boolean, "false", "redirect plain http to https (301 GET/HEAD, 308 others; probes exempt)"), "true"));
  // HSTS.
  v.push_back(spec("HSTS", o::boolean, "true", "send Strict-Transport-Security on https responses"));
  v.push_back(bounded(spec("HSTS_MAX_AGE", o::integer, "63072000", "HSTS max-age in seconds (two years)"), 0, 1LL << 32));
  v.push_back(spec("HSTS_INCLUDE_SUBDOMAINS", o::boolean, "true", "HSTS includeSubDomains"));
  v.push_back(spec("HSTS_PRELOAD", o::boolean, "false", "HSTS preload (opt-in; hard to undo)"));
  v.push_back(in_production(spec("HSTS_ON_HTTP", o::boolean, "false", "also send HSTS on plain-http responses (ignored there by browsers)"), "true"));
  // Security headers.
  v.push_back(spec("SECURITY_HEADERS", o::boolean, "true", "add HSTS, CSP and the other security headers (off only when a proxy sets them; check --deploy flags it)"));
  v.push_back(header("X_CONTENT_TYPE_OPTIONS", "nosniff", "X-Content-Type-Options", {"nosniff"}));
  v.push_back(header("X_FRAME_OPTIONS", "SAMEORIGIN", "X-Frame-Options", {"DENY", "SAMEORIGIN"}));
  v.push_back(header("REFERRER_POLICY", "strict-origin-when-cross-origin", "Referrer-Policy",
                     {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin", "origin",
                      "origin-when-cross-origin", "no-referrer-when-downgrade", "unsafe-url"}));
  v.push_back(spec("PERMISSIONS_POLICY", o::string, "default", "Permissions-Policy value ('default' = powerful features off, 'off' = not sent)"));
  v.push_back(header("CROSS_ORIGIN_OPENER_POLICY", "same-origin", "Cross-Origin-Opener-Policy",
                     {"same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"}));
  v.push_back(header("CROSS_ORIGIN_RESOURCE_POLICY", "same-origin", "Cross-Origin-Resource-Policy",
                     {"same-origin", "same-site", "cross-origin"}));
  v.push_back(header("CROSS_ORIGIN_EMBEDDER_POLICY", "off", "Cross-Origin-Embedder-Policy (opt-in)",
                     {"require-corp", "credentialless", "unsafe-none"}));
  v.push_back(header("X_XSS_PROTECTION", "0", "X-XSS-Protection ('0': the legacy auditor is off, CSP replaces it)",
                     {"0", "1", "1; mode=block"}));
  // Content Security Policy.
  v.push_back(spec("CSP", o::boolean, "true", "send a Content-Security-Policy"));
  v.push_back(spec("CSP_REPORT_ONLY", o::boolean, "false", "send it as Content-Security-Policy-Report-Only (report, do not block)"));
  v.push_back(spec("CSP_NONCE", o::boolean, "true", "per-response nonces in script-src and style-src"));
  v.push_back(spec("CSP_STRICT_DYNAMIC", o::boolean, "false", "add 'strict-dynamic' to script-src (scripts loaded by nonced scripts run)"));
  v.push_back(spec("CSP_ALLOW_UNSAFE_EVAL", o::boolean, "false", "add 'unsafe-eval' to script-src (check --deploy flags it)"));
  v.push_back(spec("CSP_UPGRADE_INSECURE_REQUESTS", o::boolean, "false", "add upgrade-insecure-requests"));
  v.push_back(spec("CSP_REPORT_URI", o::string, "/csp-report", "where browsers send violation reports (/csp-report = the built-in receiver; off = none)"));
  const std::pair<const char*, const char*> directives[] = {
      {"DEFAULT_SRC", "'none'"}, {"SCRIPT_SRC", "'self'"}, {"STYLE_SRC", "'self'"}, {"IMG_SRC", "'self'"},
      {"FONT_SRC", "'self'"}, {"CONNECT_SRC", "'self'"}, {"MEDIA_SRC", ""}, {"OBJECT_SRC", "'none'"},
      {"FRAME_SRC", ""}, {"WORKER_SRC", ""}, {"MANIFEST_SRC", "'self'"}, {"FRAME_ANCESTORS", "'self'"},
      {"BASE_URI", "'none'"}, {"FORM_ACTION", "'self'"},
  };
  for (const auto& [name, def] : directives)
    v.push_back(spec(std::string("CSP_") + name, o::list, def, "CSP sources, space- or comma-separated (empty = directive not sent)"));
  v.push_back(bounded(spec("CSP_REPORT_MAX_BYTES", o::size, "16KiB", "largest violation report accepted (413 above)"), 1024, 1 << 20));
  v.push_back(bounded(spec("CSP_REPORT_SAMPLE_PERCENT", o::integer, "100", "share of distinct violations logged"), 0, 100));
  // Trusted proxies.
  v.push_back(spec("TRUSTED_PROXIES", o::list, "", "CIDRs of proxies whose forwarding headers are believed (empty = none)"));
  v.push_back(hops("PROXY_X_FOR", "1", "X-Forwarded-For"));
  v.push_back(hops("PROXY_X_PROTO", "1", "X-Forwarded-Proto"));
  v.push_back(hops("PROXY_X_HOST", "0", "X-Forwarded-Host"));
  v.push_back(hops("PROXY_X_PORT", "0", "X-Forwarded-Port"));
  v.push_back(hops("PROXY_X_PREFIX", "0", "X-Forwarded-Prefix"));
  v.push_back(spec("PROXY_FORWARDED", o::boolean, "false", "read RFC 7239 Forwarded instead of X-Forwarded-*"));
  // CORS.
  v.push_back(spec("CORS_ORIGINS", o::list, "", "origins allowed to call CORS_PATHS from a browser (empty = CORS off)"));
  v.push_back(spec("CORS_PATHS", o::list, "/api/", "path prefixes CORS applies to"));
  v.push_back(spec("CORS_ALLOW_CREDENTIALS", o::boolean, "false", "let those origins send cookies (never with '*')"));
  v.push_back(spec("CORS_ALLOW_METHODS", o::list, "GET,HEAD,POST,PUT,PATCH,DELETE", "methods allowed in preflights"));
  v.push_back(spec("CORS_ALLOW_HEADERS", o::list, "Authorization,Content-Type,X-CSRFToken,X-Requested-With", "request headers allowed in preflights"));
  v.push_back(spec("CORS_EXPOSE_HEADERS", o::list, "", "response headers scripts may read"));
  v.push_back(bounded(spec("CORS_MAX_AGE", o::duration, "10m", "how long browsers cache a preflight"), 0, 86400000));
  return v;
}

}  // namespace bastion
