#pragma once
// Everything the transport and browser-security layers read from the configuration,
// typed and validated together (cross-option mistakes such as CORS "*" with credentials
// are configuration errors, reported with the rest before the app serves).
#include <bastion/config/config.hpp>
#include <bastion/config/deploy_checks.hpp>
#include <bastion/security/cors.hpp>
#include <bastion/security/csp_report.hpp>
#include <bastion/security/https_redirect.hpp>
#include <bastion/security/proxy_headers.hpp>
#include <bastion/security/security_headers.hpp>

#include <string>
#include <utility>
#include <vector>

namespace bastion {

struct security_settings {
  proxy_options proxy;
  std::vector<std::string> server_names;  // SERVER_NAME patterns
  bool force_https = false;
  https_redirect_options redirect;
  bool headers_enabled = true;  // SECURITY_HEADERS
  security_headers_options headers;
  bool builtin_csp_receiver = true;  // CSP_REPORT_URI is /csp-report
  std::size_t csp_report_max_bytes = 16 * 1024;
  csp_report_options csp_report;
  cors_options cors;
};

struct setting_problem {
  std::string option;
  std::string message;
};

// Reads the settings; problems go to `problems` (the settings then hold defaults there).
security_settings security_settings_from(const config& cfg, std::vector<setting_problem>& problems);

// The checklist items of this area (HTTPS, HSTS, CSP weaknesses, proxies, TLS files).
std::vector<deploy_check> security_deploy_checks();

}  // namespace bastion
