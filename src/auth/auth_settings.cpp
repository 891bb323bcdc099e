#include <bastion/auth/auth_settings.hpp>

#include <bastion/http/response.hpp>
#include <bastion/session/session_store.hpp>

#include <fmt/format.h>

namespace bastion {

auth_settings auth_settings_from(const config& cfg, std::vector<setting_problem>& problems) {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  auth_settings s;
  s.sessions = cfg.get_bool("SESSIONS");
  auto& so = s.session;
  so.store_uri = std::string(cfg.get("SESSION_STORE_URI"));
  so.cookie_name = std::string(cfg.get("SESSION_COOKIE_NAME"));
  so.cookie_secure = cfg.get_bool("SESSION_COOKIE_SECURE");
  so.cookie_same_site = cfg.get("SESSION_COOKIE_SAMESITE") == "strict" ? same_site::strict : same_site::lax;
  so.idle_timeout = duration_cast<seconds>(cfg.get_duration("SESSION_IDLE_TIMEOUT"));
  so.absolute_timeout = duration_cast<seconds>(cfg.get_duration("SESSION_ABSOLUTE_TIMEOUT"));
  so.store.memory_max_sessions = static_cast<std::size_t>(cfg.get_int("SESSION_MEMORY_MAX"));
  so.remember_me = cfg.get_bool("REMEMBER_ME");
  so.remember_duration = duration_cast<seconds>(cfg.get_duration("REMEMBER_ME_DURATION"));
  so.remember_cookie_name = so.cookie_name + "_remember";
  // database:// is opened by the app, which owns the database.
  if (so.store_uri != "database://" && so.store_uri != "cookie://" && !open_session_store(so.store_uri, {.memory_max_sessions = 16}))
    problems.push_back({"SESSION_STORE_URI", "must be memory://, redis://[user:password@]host[:port][/db], database:// or cookie://"});
  if (so.store_uri == "cookie://" && so.remember_me)
    problems.push_back({"REMEMBER_ME", "needs server-side sessions: SESSION_STORE_URI is cookie://"});
  if (so.cookie_name.empty() || so.cookie_name.starts_with("__") ||
      !serialize({.name = so.cookie_name, .value = "x"}))
    problems.push_back({"SESSION_COOKIE_NAME", "must be a cookie name (a token) without a __ prefix (added by Bastion)"});
  if (so.idle_timeout > so.absolute_timeout)
    problems.push_back({"SESSION_IDLE_TIMEOUT", "is longer than SESSION_ABSOLUTE_TIMEOUT"});
  s.csrf = cfg.get_bool("CSRF_ENABLED");
  s.csrf_opts.time_limit = duration_cast<seconds>(cfg.get_duration("CSRF_TIME_LIMIT"));
  for (auto& o : cfg.get_list("CSRF_TRUSTED_ORIGINS")) {
    if (!(o.starts_with("https://") || o.starts_with("http://")) || o.find('/', o.find("//") + 2) != std::string::npos ||
        o.find('*') != std::string::npos)
      problems.push_back({"CSRF_TRUSTED_ORIGINS", fmt::format("'{}' is not an origin (scheme://host[:port], no path, no wildcard)", o)});
    else
      s.csrf_opts.trusted_origins.push_back(o);
  }
  s.login_url = std::string(cfg.get("LOGIN_URL"));
  if (!is_safe_redirect_target(s.login_url)) problems.push_back({"LOGIN_URL", "must be a path on this site, such as /login"});
  s.password.memory_kib = static_cast<std::size_t>(cfg.get_int("PASSWORD_HASH_MEMORY_KIB"));
  s.password.iterations = static_cast<unsigned>(cfg.get_int("PASSWORD_HASH_ITERATIONS"));
  s.password.min_length = static_cast<std::size_t>(cfg.get_int("PASSWORD_MIN_LENGTH"));
  return s;
}

std::vector<deploy_check> auth_deploy_checks() {
  using sev = check_severity;
  std::vector<deploy_check> v;
  auto add = [&](std::string id, sev s, bool fatal, std::function<std::optional<std::string>(const config&)> fn) {
    v.push_back({std::move(id), s, fatal, std::move(fn)});
  };
  add("auth.E001", sev::error, true, [](const config& c) -> std::optional<std::string> {
    if (!c.get_bool("SESSIONS") || c.get_bool("SESSION_COOKIE_SECURE")) return std::nullopt;
    return "SESSION_COOKIE_SECURE is off: the session cookie can travel over plain http and be stolen on the wire. "
           "Set SESSION_COOKIE_SECURE=true";
  });
  add("auth.E002", sev::error, true, [](const config& c) -> std::optional<std::string> {
    if (c.get_bool("CSRF_ENABLED")) return std::nullopt;
    return "CSRF_ENABLED is off: any site can submit forms as your logged-in users. Set CSRF_ENABLED=true and "
           "exempt single routes instead (route_options::csrf_exempt)";
  });
  add("auth.E003", sev::error, false, [](const config& c) -> std::optional<std::string> {
    if (!c.get_bool("SESSIONS") || c.get("SESSION_STORE_URI") != "memory://" || c.get_int("INSTANCES") <= 1)
      return std::nullopt;
    return fmt::format("SESSION_STORE_URI is memory:// with INSTANCES={}: each process knows only its own sessions, so "
                       "users are logged out at random. Use redis:// or database://", c.get_int("INSTANCES"));
  });
  add("auth.W001", sev::warning, false, [](const config& c) -> std::optional<std::string> {
    if (!c.get_bool("SESSIONS") || c.get("SESSION_STORE_URI") != "memory://") return std::nullopt;
    return "SESSION_STORE_URI is memory://: every restart logs everybody out. Use redis:// or database:// for sessions that outlive a process";
  });
  add("auth.W003", sev::warning, false, [](const config& c) -> std::optional<std::string> {
    if (!c.get_bool("SESSIONS") || !c.get_bool("REMEMBER_ME") || c.get_duration("REMEMBER_ME_DURATION") <= std::chrono::hours(24 * 30))
      return std::nullopt;
    return "REMEMBER_ME_DURATION is over 30 days: a remembered browser (a shared or lost computer) stays logged in for long";
  });
  add("auth.W004", sev::warning, false, [](const config& c) -> std::optional<std::string> {
    if (!c.get_bool("SESSIONS") || c.get("SESSION_STORE_URI") != "cookie://") return std::nullopt;
    return "SESSION_STORE_URI is cookie://: logout, a password change or an admin cannot end a session on the server; a "
           "copied cookie works until SESSION_ABSOLUTE_TIMEOUT. Use redis:// or database://";
  });
  add("auth.W002", sev::warning, false, [](const config& c) -> std::optional<std::string> {
    const auto idle = c.get_duration("SESSION_IDLE_TIMEOUT");
    const auto absolute = c.get_duration("SESSION_ABSOLUTE_TIMEOUT");
    if (idle <= std::chrono::hours(1) && absolute <= std::chrono::hours(24)) return std::nullopt;
    return "SESSION_IDLE_TIMEOUT is over an hour or SESSION_ABSOLUTE_TIMEOUT over a day: a stolen or forgotten session "
           "stays usable for long (OWASP ASVS 7.3)";
  });
  return v;
}

}  // namespace bastion
