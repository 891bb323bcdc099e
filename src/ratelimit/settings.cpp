#include <bastion/ratelimit/settings.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace bastion {

std::unique_ptr<rate_limiter> rate_limiter_from(const config& cfg,
                                                std::vector<std::pair<std::string, std::string>>& problems) {
  limiter_options o;
  o.enabled = cfg.get_bool("RATELIMIT_ENABLED");
  o.strategy = rate_strategy_from(cfg.get("RATELIMIT_STRATEGY")).value_or(rate_strategy::fixed_window);
  o.default_limits = std::string(cfg.get("RATELIMIT_DEFAULT"));
  o.headers = cfg.get_bool("RATELIMIT_HEADERS_ENABLED");
  o.ietf_headers = cfg.get_bool("RATELIMIT_IETF_HEADERS");
  o.fail_open = cfg.get_bool("RATELIMIT_FAIL_OPEN");
  o.ipv6_prefix = static_cast<unsigned>(cfg.get_int("RATELIMIT_IPV6_PREFIX"));
  o.instances = static_cast<unsigned>(cfg.get_int("INSTANCES"));
  o.circuit_cooldown = cfg.get_duration("RATELIMIT_CIRCUIT_COOLDOWN");

  limit_storage_options so;
  so.timeout = cfg.get_duration("RATELIMIT_STORAGE_TIMEOUT");
  auto storage = open_limit_storage(cfg.get("RATELIMIT_STORAGE_URI"), so);
  if (!storage) {
    problems.emplace_back("RATELIMIT_STORAGE_URI",
                          "not a supported storage URI (memory://, redis://host:port/db, memcached://host:port)");
    storage = open_limit_storage("memory://", so);
  }
  try {
    return std::make_unique<rate_limiter>(o, std::move(*storage));
  } catch (const std::invalid_argument& e) {
    problems.emplace_back("RATELIMIT_DEFAULT", e.what());
    o.default_limits.clear();
    return std::make_unique<rate_limiter>(o, std::move(*open_limit_storage("memory://", so)));
  }
}

std::vector<deploy_check> ratelimit_deploy_checks() {
  using sev = check_severity;
  std::vector<deploy_check> v;
  v.push_back({"ratelimit.E001", sev::error, false, [](const config& c) -> std::optional<std::string> {
                 if (!c.get("RATELIMIT_STORAGE_URI").starts_with("memory") || c.get_int("INSTANCES") <= 1) return std::nullopt;
                 return fmt::format("RATELIMIT_STORAGE_URI is memory:// with INSTANCES={}: each process counts on its own, "
                                    "so clients get {}x the limits; use redis:// or memcached://",
                                    c.get_int("INSTANCES"), c.get_int("INSTANCES"));
               }});
  v.push_back({"ratelimit.E002", sev::error, false, [](const config& c) -> std::optional<std::string> {
                 if (c.get_bool("RATELIMIT_ENABLED")) return std::nullopt;
                 return "RATELIMIT_ENABLED is off: no route is rate-limited (login brute force, scraping, floods)";
               }});
  v.push_back({"ratelimit.W001", sev::warning, false, [](const config& c) -> std::optional<std::string> {
                 if (!c.is_production() || !c.get("RATELIMIT_STORAGE_URI").starts_with("memory")) return std::nullopt;
                 return "RATELIMIT_STORAGE_URI is memory://: limits are per process and reset on restart; fine for one "
                        "process, otherwise use redis:// or memcached://";
               }});
  return v;
}

}  // namespace bastion
