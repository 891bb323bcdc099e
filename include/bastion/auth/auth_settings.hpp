#pragma once
// Sessions, CSRF, login and password policy as read from the configuration, and the
// checklist items of this area.
#include <bastion/auth/authentication.hpp>
#include <bastion/auth/password.hpp>
#include <bastion/config/deploy_checks.hpp>
#include <bastion/security/csrf.hpp>
#include <bastion/security/security_settings.hpp>
#include <bastion/session/session_manager.hpp>

#include <vector>

namespace bastion {

struct auth_settings {
  bool sessions = true;  // SESSIONS
  session_options session;
  bool csrf = true;      // CSRF_ENABLED
  csrf_options csrf_opts;
  std::string login_url = "/login";
  password_options password;
};

// Reads the settings; problems go to `problems`.
auth_settings auth_settings_from(const config& cfg, std::vector<setting_problem>& problems);

// Secure cookies, store sharing, CSRF on, timeouts.
std::vector<deploy_check> auth_deploy_checks();

}  // namespace bastion
