#pragma once
// The rate limiter: default limits on every route, per-route and per-blueprint limits
// (route_options::rate_limits, rate_limit_rules), shared scopes, costs, exemptions; 429
// with Retry-After and X-RateLimit-* (and optionally the IETF RateLimit/RateLimit-Policy
// headers) through the error handlers; and a per-rule failure policy when a shared
// storage is down: fail open onto an in-memory fallback (limits divided by INSTANCES) or
// fail closed (503), behind a circuit breaker so a dead storage costs no timeout per
// request and is tried again by itself.
#include <bastion/app/middleware.hpp>
#include <bastion/ratelimit/storage.hpp>
#include <bastion/routing/route.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace bastion {

struct limiter_options {
  bool enabled = true;                              // RATELIMIT_ENABLED
  rate_strategy strategy = rate_strategy::fixed_window;  // RATELIMIT_STRATEGY
  std::string default_limits = "200 per day;50 per hour";  // RATELIMIT_DEFAULT ("" = none)
  bool headers = true;                              // RATELIMIT_HEADERS_ENABLED: X-RateLimit-*
  bool ietf_headers = false;                        // RATELIMIT_IETF_HEADERS: RateLimit, RateLimit-Policy
  bool fail_open = true;                            // RATELIMIT_FAIL_OPEN: default failure policy
  unsigned ipv6_prefix = 64;                        // RATELIMIT_IPV6_PREFIX: client keys group IPv6 by this
  unsigned instances = 1;                           // INSTANCES: fallback limits are divided by it
  unsigned circuit_failures = 3;                    // consecutive failures that open the circuit
  std::chrono::milliseconds circuit_cooldown{5000}; // RATELIMIT_CIRCUIT_COOLDOWN: before trying again
};

struct limiter_stats {
  std::uint64_t checked = 0;          // requests checked
  std::uint64_t limited = 0;          // answered 429
  std::uint64_t storage_errors = 0;   // failed storage calls (timeouts, refused connections)
  std::uint64_t short_circuited = 0;  // storage calls skipped while the circuit was open
  std::uint64_t fallback_hits = 0;    // counted in memory while the storage was down
  std::uint64_t failed_closed = 0;    // answered 503 because the storage was down
  std::uint64_t circuit_opened = 0;
};

// The client key for a request: its client address (after trusted proxies), IPv6
// grouped by `ipv6_prefix` ("2001:db8:1:2::/64").
std::string client_key(const request& req, unsigned ipv6_prefix);

class rate_limiter {
 public:
  // Throws std::invalid_argument when default_limits does not parse.
  rate_limiter(limiter_options options, std::unique_ptr<limit_storage> storage);
  ~rate_limiter();
  rate_limiter(const rate_limiter&) = delete;
  rate_limiter& operator=(const rate_limiter&) = delete;

  // Compiles the rules of every route (at freeze). Throws std::invalid_argument naming
  // the route and the bad expression.
  void add_route(const route& r);
  // The layer that enforces them.
  middleware layer();

  limit_storage& storage() noexcept { return *storage_; }
  const limiter_options& options() const noexcept { return options_; }
  limiter_stats stats() const;
  // True when requests to `r` are checked against a storage over the network (their
  // handling then goes to the blocking pool, so the round trip never stalls an event loop).
  bool checks_remotely(const route& r) const;
  // The limits a route gets, for `routes` ("5 per 1 minute by client", ...).
  std::vector<std::string> describe(const route& r) const;

  struct compiled_rule;

 private:
  void check(request& req, response& res, const next_fn& next);
  boost::system::result<hit_result> hit(const compiled_rule& rule, const rate_limit& limit, const std::string& key,
                                        std::int64_t now_ms);

  limiter_options options_;
  std::unique_ptr<limit_storage> storage_;
  std::unique_ptr<limit_storage> fallback_;
  std::vector<rate_limit> defaults_;
  std::unordered_map<const route*, std::vector<compiled_rule>> rules_;
  struct counters;
  std::unique_ptr<counters> c_;
};

}  // namespace bastion
