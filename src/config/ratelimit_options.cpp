// The rate limiter's options. Read by the app (limiter_options and the storage).
#include <bastion/config/config.hpp>

#include "config/option_helpers.hpp"

namespace bastion {

std::vector<option_spec> ratelimit_options() {
  using namespace detail;
  using o = option_type;
  std::vector<option_spec> v;
  auto enabled = spec("RATELIMIT_ENABLED", o::boolean, "true", "enforce rate limits (off in testing by default)");
  enabled.env_default[static_cast<std::size_t>(environment::testing)] = "false";
  v.push_back(std::move(enabled));
  v.push_back(secret(spec("RATELIMIT_STORAGE_URI", o::string, "memory://", "memory://, redis://host:port/db or memcached://host:port")));
  v.push_back(choices(spec("RATELIMIT_STRATEGY", o::string, "fixed-window", "how hits are counted"),
                      {"fixed-window", "moving-window", "sliding-window-counter", "gcra"}));
  v.push_back(spec("RATELIMIT_DEFAULT", o::string, "200 per day;50 per hour", "limits of routes without their own (empty = none)"));
  v.push_back(spec("RATELIMIT_HEADERS_ENABLED", o::boolean, "true", "X-RateLimit-Limit/-Remaining/-Reset on limited routes"));
  v.push_back(spec("RATELIMIT_IETF_HEADERS", o::boolean, "false", "also the IETF RateLimit and RateLimit-Policy headers"));
  v.push_back(spec("RATELIMIT_FAIL_OPEN", o::boolean, "true", "storage down: count in memory (true) or answer 503 (false); routes may override"));
  v.push_back(bounded(spec("RATELIMIT_IPV6_PREFIX", o::integer, "64", "IPv6 clients are limited per prefix of this length"), 1, 128));
  v.push_back(bounded(spec("RATELIMIT_STORAGE_TIMEOUT", o::duration, "200ms", "connect and round-trip timeout of the storage"), 1, 60000));
  v.push_back(bounded(spec("RATELIMIT_CIRCUIT_COOLDOWN", o::duration, "5s", "after repeated storage failures, how long to stop trying"), 100, 3600000));
  v.push_back(bounded(spec("INSTANCES", o::integer, "1", "processes or instances serving this app (memory:// limits are per process)"), 1, 100000));
  return v;
}

}  // namespace bastion
