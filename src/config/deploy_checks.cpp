#include <bastion/config/deploy_checks.hpp>

#include <fmt/format.h>

namespace bastion {
namespace {

constexpr std::size_t min_secret_bytes = 32;

deploy_check check(std::string id, check_severity sev, bool fatal,
                   std::function<std::optional<std::string>(const config&)> fn) {
  return {std::move(id), sev, fatal, std::move(fn)};
}

}  // namespace

std::vector<deploy_check> core_deploy_checks() {
  using s = check_severity;
  std::vector<deploy_check> v;
  v.push_back(check("bastion.E001", s::error, false, [](const config& c) -> std::optional<std::string> {
    if (c.is_production()) return std::nullopt;
    return fmt::format("APP_ENV is '{}': deployments run with APP_ENV=production, which applies the "
                       "strict defaults and refuses to start on a failed check", to_string(c.env()));
  }));
  v.push_back(check("bastion.E002", s::error, true, [](const config& c) -> std::optional<std::string> {
    if (!c.debug()) return std::nullopt;
    return "APP_DEBUG is on: debug output can leak internals; set APP_DEBUG=false";
  }));
  v.push_back(check("bastion.E003", s::error, true, [](const config& c) -> std::optional<std::string> {
    if (!c.secret_key().empty() && !c.secret_key_is_ephemeral()) return std::nullopt;
    return "no SECRET_KEY or SECRET_KEY_FILE: sessions and tokens cannot be signed; generate one with "
           "`gen-secret` and pass it through the environment or a file";
  }));
  v.push_back(check("bastion.E004", s::error, true, [](const config& c) -> std::optional<std::string> {
    if (c.secret_key().empty() || c.secret_key().size() >= min_secret_bytes) return std::nullopt;
    return fmt::format("SECRET_KEY is {} bytes: a short key can be brute-forced; use at least {} "
                       "(`gen-secret` prints 64 hex characters)", c.secret_key().size(), min_secret_bytes);
  }));
  v.push_back(check("bastion.E005", s::error, true, [](const config& c) -> std::optional<std::string> {
    for (const auto& k : c.get_list("SECRET_KEY_FALLBACKS"))
      if (k.size() < min_secret_bytes)
        return fmt::format("a SECRET_KEY_FALLBACKS entry is shorter than {} bytes; remove it", min_secret_bytes);
    return std::nullopt;
  }));
  v.push_back(check("bastion.W001", s::warning, false, [](const config& c) -> std::optional<std::string> {
    if (!c.get("DATABASE_URL").starts_with("sqlite:")) return std::nullopt;
    return "DATABASE_URL is SQLite: fine for one process, but production deployments usually "
           "want PostgreSQL (backups, concurrent writers, several instances)";
  }));
  v.push_back(check("bastion.W002", s::warning, false, [](const config& c) -> std::optional<std::string> {
    if (!c.get("SERVER_NAME").empty()) return std::nullopt;
    return "SERVER_NAME is not set: any Host header is accepted; set it to your domain(s)";
  }));
  v.push_back(check("bastion.W003", s::warning, false, [](const config& c) -> std::optional<std::string> {
    if (c.get_bool("LOG_TO_STDOUT")) return std::nullopt;
    return "LOG_TO_STDOUT is off: container platforms collect stdout; logs go to stderr instead";
  }));
  return v;
}

std::vector<deploy_finding> run_deploy_checks(const std::vector<deploy_check>& checks, const config& cfg,
                                              bool fatal_only) {
  std::vector<deploy_finding> out;
  for (const auto& c : checks) {
    if (fatal_only && !c.fatal_in_production) continue;
    if (auto msg = c.run(cfg)) out.push_back({c.id, c.severity, std::move(*msg)});
  }
  return out;
}

}  // namespace bastion
