#include <bastion/security/security_settings.hpp>

#include <bastion/security/allowed_hosts.hpp>
#include <bastion/util/strings.hpp>

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

namespace bastion {
namespace {

std::string header_value(const config& cfg, std::string_view name) {
  const auto v = cfg.get(name);
  return v == "off" ? std::string() : std::string(v);
}

// CSP sources may be written "'self' https://a.example" or "'self',https://a.example".
std::vector<std::string> sources(const config& cfg, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& item : cfg.get_list(name))
    for (auto word : split_list(item, ' ')) {
      word = trim_ows(word);
      if (!word.empty()) out.emplace_back(word);
    }
  return out;
}

content_security_policy csp_from(const config& cfg) {
  using d = csp_directive;
  const std::pair<d, const char*> options[] = {
      {d::default_src, "CSP_DEFAULT_SRC"}, {d::script_src, "CSP_SCRIPT_SRC"}, {d::style_src, "CSP_STYLE_SRC"},
      {d::img_src, "CSP_IMG_SRC"}, {d::font_src, "CSP_FONT_SRC"}, {d::connect_src, "CSP_CONNECT_SRC"},
      {d::media_src, "CSP_MEDIA_SRC"}, {d::object_src, "CSP_OBJECT_SRC"}, {d::frame_src, "CSP_FRAME_SRC"},
      {d::worker_src, "CSP_WORKER_SRC"}, {d::manifest_src, "CSP_MANIFEST_SRC"},
      {d::frame_ancestors, "CSP_FRAME_ANCESTORS"}, {d::base_uri, "CSP_BASE_URI"}, {d::form_action, "CSP_FORM_ACTION"},
  };
  content_security_policy p;
  for (const auto& [dir, opt] : options) p.set(dir, sources(cfg, opt));
  const bool nonce = cfg.get_bool("CSP_NONCE");
  p.nonce_scripts(nonce).nonce_styles(nonce);
  if (cfg.get_bool("CSP_STRICT_DYNAMIC")) p.add(d::script_src, std::string(csp::strict_dynamic));
  if (cfg.get_bool("CSP_ALLOW_UNSAFE_EVAL")) p.add(d::script_src, std::string(csp::unsafe_eval));
  p.upgrade_insecure_requests(cfg.get_bool("CSP_UPGRADE_INSECURE_REQUESTS"));
  if (const auto uri = cfg.get("CSP_REPORT_URI"); uri != "off") {
    p.report_uri(std::string(uri));
    p.report_to("csp-endpoint");
  }
  return p;
}

bool readable(std::string_view path) {
  std::ifstream f{std::string(path)};
  return f.good();
}

}  // namespace

security_settings security_settings_from(const config& cfg, std::vector<setting_problem>& problems) {
  security_settings s;
  for (const auto& text : cfg.get_list("TRUSTED_PROXIES")) {
    std::string why;
    if (auto n = ip_network::parse(text, &why)) s.proxy.trusted.push_back(*n);
    else problems.push_back({"TRUSTED_PROXIES", why});
  }
  s.proxy.x_for = static_cast<unsigned>(cfg.get_int("PROXY_X_FOR"));
  s.proxy.x_proto = static_cast<unsigned>(cfg.get_int("PROXY_X_PROTO"));
  s.proxy.x_host = static_cast<unsigned>(cfg.get_int("PROXY_X_HOST"));
  s.proxy.x_port = static_cast<unsigned>(cfg.get_int("PROXY_X_PORT"));
  s.proxy.x_prefix = static_cast<unsigned>(cfg.get_int("PROXY_X_PREFIX"));
  s.proxy.forwarded = cfg.get_bool("PROXY_FORWARDED");

  s.server_names = cfg.get_list("SERVER_NAME");
  try {
    allowed_hosts check(s.server_names);
  } catch (const std::invalid_argument& e) {
    problems.push_back({"SERVER_NAME", e.what()});
    s.server_names.clear();
  }

  const bool tls_here = !cfg.get("TLS_CERT_FILE").empty();
  s.force_https = cfg.get_bool("FORCE_HTTPS");
  const auto https_port = cfg.get_int("HTTPS_PORT");
  s.redirect.https_port = static_cast<std::uint16_t>(https_port ? https_port : tls_here ? cfg.get_int("PORT") : 443);

  s.headers_enabled = cfg.get_bool("SECURITY_HEADERS");
  auto& h = s.headers;
  h.hsts.enabled = cfg.get_bool("HSTS");
  h.hsts.max_age = std::chrono::seconds(cfg.get_int("HSTS_MAX_AGE"));
  h.hsts.include_subdomains = cfg.get_bool("HSTS_INCLUDE_SUBDOMAINS");
  h.hsts.preload = cfg.get_bool("HSTS_PRELOAD");
  h.hsts.on_plain_http = cfg.get_bool("HSTS_ON_HTTP");
  h.content_type_options = header_value(cfg, "X_CONTENT_TYPE_OPTIONS");
  h.frame_options = header_value(cfg, "X_FRAME_OPTIONS");
  h.referrer_policy = header_value(cfg, "REFERRER_POLICY");
  if (const auto pp = cfg.get("PERMISSIONS_POLICY"); pp != "default") h.permissions_policy = header_value(cfg, "PERMISSIONS_POLICY");
  h.cross_origin_opener_policy = header_value(cfg, "CROSS_ORIGIN_OPENER_POLICY");
  h.cross_origin_resource_policy = header_value(cfg, "CROSS_ORIGIN_RESOURCE_POLICY");
  h.cross_origin_embedder_policy = header_value(cfg, "CROSS_ORIGIN_EMBEDDER_POLICY");
  h.xss_protection = header_value(cfg, "X_XSS_PROTECTION");
  h.csp_report_only = cfg.get_bool("CSP_REPORT_ONLY");
  if (cfg.get_bool("CSP")) {
    h.csp = csp_from(cfg);
    if (!h.csp->report_uri().empty()) h.reporting_endpoint = h.csp->report_uri();
  } else {
    h.csp.reset();
  }
  s.builtin_csp_receiver = h.csp && h.csp->report_uri() == "/csp-report";
  if (auto ps = validate(h); !ps.empty()) {  // reported; the defaults stand in until fixed
    for (auto& p : ps) problems.push_back({"CSP/headers", std::move(p)});
    h = security_headers_options{};
  }

  s.csp_report_max_bytes = cfg.get_size("CSP_REPORT_MAX_BYTES");
  s.csp_report.sample_percent = static_cast<unsigned>(cfg.get_int("CSP_REPORT_SAMPLE_PERCENT"));

  auto& c = s.cors;
  c.origins = cfg.get_list("CORS_ORIGINS");
  c.paths = cfg.get_list("CORS_PATHS");
  c.allow_credentials = cfg.get_bool("CORS_ALLOW_CREDENTIALS");
  c.allow_methods = cfg.get_list("CORS_ALLOW_METHODS");
  c.allow_headers = cfg.get_list("CORS_ALLOW_HEADERS");
  c.expose_headers = cfg.get_list("CORS_EXPOSE_HEADERS");
  c.max_age = std::chrono::duration_cast<std::chrono::seconds>(cfg.get_duration("CORS_MAX_AGE"));
  if (auto ps = validate(c); !ps.empty()) {
    for (auto& p : ps) problems.push_back({"CORS_ORIGINS", p});
    c = cors_options{};
  }

  if (tls_here != !cfg.get("TLS_KEY_FILE").empty())
    problems.push_back({"TLS_KEY_FILE", "TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither"});
  if (cfg.get_int("HTTP_REDIRECT_PORT") != 0 && !tls_here)
    problems.push_back({"HTTP_REDIRECT_PORT", "a redirect listener needs TLS on the main listener (TLS_CERT_FILE/TLS_KEY_FILE)"});
  return s;
}

std::vector<deploy_check> security_deploy_checks() {
  using sev = check_severity;
  std::vector<deploy_check> v;
  auto add = [&](std::string id, sev s, bool fatal, std::function<std::optional<std::string>(const config&)> fn) {
    v.push_back({std::move(id), s, fatal, std::move(fn)});
  };
  add("security.E001", sev::error, false, [](const config& c) -> std::optional<std::string> {
    if (c.get_bool("FORCE_HTTPS")) return std::nullopt;
    return "FORCE_HTTPS is off: plain-http requests are served, not redirected; cookies and passwords can be read "
           "on the wire. Set FORCE_HTTPS=true (probes stay reachable over http)";
  });
  add("security.E002", sev::error, true, [](const config& c) -> std::optional<std::string> {
    if (c.get_bool("HSTS") && c.get_int("HSTS_MAX_AGE") >= 31536000) return std::nullopt;
    return "HSTS is off or max-age is under one year: browsers fall back to http after the first visit "
           "(SSL stripping). Set HSTS=true and HSTS_MAX_AGE >= 31536000 (ASVS 3.4.1)";
  });
  add("security.E005", sev::error, true, [](const config& c) -> std::optional<std::string> {
    if (c.get_bool("SECURITY_HEADERS")) return std::nullopt;
    return "SECURITY_HEADERS is off: no HSTS, CSP, nosniff or frame protection from the app. If a proxy adds "
           "them, keep it that way knowingly; otherwise set SECURITY_HEADERS=true";
  });
  add("security.E003", sev::error, false, [](const config& c) -> std::optional<std::string> {
    if (c.get_bool("CSP") && !c.get_bool("CSP_REPORT_ONLY")) return std::nullopt;
    return "the Content Security Policy is off or report-only: it does not block injected scripts. Set CSP=true "
           "and CSP_REPORT_ONLY=false";
  });
  add("security.W001", sev::warning, false, [](const config& c) -> std::optional<std::string> {
    std::vector<setting_problem> ignored;
    const auto s = security_settings_from(c, ignored);
    if (!s.headers.csp) return std::nullopt;
    const auto weak = s.headers.csp->weaknesses();
    if (weak.empty()) return std::nullopt;
    std::string msg = "the Content Security Policy is weak:";
    for (const auto& w : weak) msg += " " + w + ";";
    if (c.get_bool("CSP_ALLOW_UNSAFE_EVAL")) msg += " CSP_ALLOW_UNSAFE_EVAL lets injected strings run as code; keep it for development only";
    return msg;
  });
  add("security.W002", sev::warning, false, [](const config& c) -> std::optional<std::string> {
    if (!c.get_list("TRUSTED_PROXIES").empty() || !c.get("TLS_CERT_FILE").empty()) return std::nullopt;
    return "no TLS here and no TRUSTED_PROXIES: if a proxy terminates TLS in front of this app, list its address in "
           "TRUSTED_PROXIES, or every client shares its address (logs, rate limits) and https is not recognised";
  });
  add("security.W003", sev::warning, false, [](const config& c) -> std::optional<std::string> {
    for (const auto& t : c.get_list("TRUSTED_PROXIES")) {
      auto n = ip_network::parse(t);
      if (n && (n->to_string() == "0.0.0.0/0" || n->to_string() == "::/0"))
        return fmt::format("TRUSTED_PROXIES contains {}: every client can forge its address and scheme", t);
    }
    return std::nullopt;
  });
  add("security.E004", sev::error, true, [](const config& c) -> std::optional<std::string> {
    const auto cert = c.get("TLS_CERT_FILE"), key = c.get("TLS_KEY_FILE");
    if (cert.empty() && key.empty()) return std::nullopt;
    if (!cert.empty() && !readable(cert)) return fmt::format("TLS_CERT_FILE '{}' cannot be read", cert);
    if (!key.empty() && !readable(key)) return "TLS_KEY_FILE cannot be read";
    return std::nullopt;
  });
  add("security.W004", sev::warning, false, [](const config& c) -> std::optional<std::string> {
    if (!c.get_bool("HSTS_PRELOAD")) return std::nullopt;
    return "HSTS_PRELOAD is on: once the domain is on the preload list, every subdomain must serve https for "
           "years; make sure that is intended";
  });
  add("security.W005", sev::warning, false, [](const config& c) -> std::optional<std::string> {
    if (c.get_list("CORS_ORIGINS").empty()) return std::nullopt;
    for (const auto& o : c.get_list("CORS_ORIGINS"))
      if (o == "*") return "CORS_ORIGINS is '*': any site can read the CORS_PATHS responses";
      else if (o.starts_with("http://")) return fmt::format("CORS_ORIGINS entry '{}' is plain http", o);
    return std::nullopt;
  });
  return v;
}

}  // namespace bastion
