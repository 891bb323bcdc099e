#include <bastion/ratelimit/limiter.hpp>

#include "ratelimit/memory_storage.hpp"

#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/security/ip_network.hpp>

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace bastion {
namespace {

bool key_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '.' ||
         c == '_' || c == '/' || c == '-';
}

// A storage-safe key part: kept as is when short and plain, else a SHA-256 digest (so
// "a b" and "a_b", or a 10 KB username, can neither collide nor overflow a key).
std::string safe_part(std::string_view s) {
  if (s.size() <= 64 && std::all_of(s.begin(), s.end(), key_char)) return std::string(s);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(s.data(), s.size(), digest, &len, EVP_sha256(), nullptr);
  std::string out = "h.";
  for (unsigned i = 0; i < 16; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t ceil_seconds(std::int64_t ms) { return ms <= 0 ? 0 : (ms + 999) / 1000; }

}  // namespace

std::string client_key(const request& req, unsigned ipv6_prefix) {
  const auto addr = ip_address::parse(req.client_address());
  if (!addr) return std::string(req.client_address());
  if (addr->v4 || ipv6_prefix >= 128) return addr->to_string();
  ip_address masked = *addr;
  for (unsigned bit = ipv6_prefix; bit < 128; ++bit) masked.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  return fmt::format("{}/{}", masked.to_string(), ipv6_prefix);
}

struct rate_limiter::compiled_rule {
  std::vector<rate_limit> limits;
  std::vector<std::string> key_prefixes;  // per limit: "rl:<scope>:<amount>:<seconds>:"
  std::function<std::string(const request&)> key;
  std::string scope;  // storage-safe
  std::string key_name;
  std::uint32_t cost = 1;
  bool fail_open = true;
  std::function<bool(const request&)> exempt_when;
};

struct rate_limiter::counters {
  std::atomic<std::uint64_t> checked{0}, limited{0}, storage_errors{0}, short_circuited{0}, fallback_hits{0},
      failed_closed{0}, circuit_opened{0};
  std::atomic<unsigned> consecutive_failures{0};
  std::atomic<std::int64_t> open_until_ms{0};
};

rate_limiter::rate_limiter(limiter_options options, std::unique_ptr<limit_storage> storage)
    : options_(std::move(options)), storage_(std::move(storage)), c_(std::make_unique<counters>()) {
  if (!options_.default_limits.empty()) {
    std::string why;
    auto parsed = parse_limits(options_.default_limits, &why);
    if (!parsed) throw std::invalid_argument("RATELIMIT_DEFAULT: " + why);
    defaults_ = std::move(*parsed);
  }
  if (storage_->kind() != "memory") fallback_ = detail::make_memory_storage(100'000);
}

rate_limiter::~rate_limiter() = default;

void rate_limiter::add_route(const route& r) {
  if (r.options.probe || r.options.rate_limit_exempt) return;
  std::vector<compiled_rule> rules;
  const std::string route_scope = safe_part(r.pattern.text().empty() ? "route" : r.pattern.text());
  auto parse = [&](const std::string& text) {
    std::string why;
    auto parsed = parse_limits(text, &why);
    if (!parsed) throw std::invalid_argument(fmt::format("route {}: rate limit {}", r.pattern.text(), why));
    return std::move(*parsed);
  };
  for (const auto& text : r.options.rate_limits) {
    compiled_rule c;
    c.limits = parse(text);
    c.scope = route_scope;
    c.key_name = "client";
    c.fail_open = options_.fail_open;
    rules.push_back(std::move(c));
  }
  for (const auto& rule : r.options.rate_limit_rules) {
    compiled_rule c;
    c.limits = parse(rule.limits);
    c.key = rule.key;
    c.scope = rule.scope.empty() ? route_scope : "shared." + safe_part(rule.scope);
    c.key_name = rule.key ? "custom key" : "client";
    c.cost = std::max<std::uint32_t>(1, rule.cost);
    c.fail_open = rule.fail_open.value_or(options_.fail_open);
    c.exempt_when = rule.exempt_when;
    rules.push_back(std::move(c));
  }
  if (rules.empty() && !defaults_.empty()) {  // like Flask-Limiter: a route's own limits replace the defaults
    compiled_rule c;
    c.limits = defaults_;
    c.scope = route_scope;
    c.key_name = "client";
    c.fail_open = options_.fail_open;
    rules.push_back(std::move(c));
  }
  for (auto& rule : rules)
    for (const auto& l : rule.limits)
      rule.key_prefixes.push_back(fmt::format("rl:{}:{}:{}:", rule.scope, l.amount, l.period.count()));
  if (!rules.empty()) rules_[&r] = std::move(rules);
}

bool rate_limiter::checks_remotely(const route& r) const {
  return options_.enabled && fallback_ && rules_.count(&r) != 0;
}

std::vector<std::string> rate_limiter::describe(const route& r) const {
  std::vector<std::string> out;
  auto it = rules_.find(&r);
  if (it == rules_.end()) return out;
  for (const auto& rule : it->second)
    for (const auto& l : rule.limits)
      out.push_back(fmt::format("{} by {}{}{}", l.text, rule.key_name, rule.cost > 1 ? fmt::format(" (cost {})", rule.cost) : "",
                                rule.fail_open ? "" : ", fails closed"));
  return out;
}

limiter_stats rate_limiter::stats() const {
  return {c_->checked.load(), c_->limited.load(), c_->storage_errors.load(), c_->short_circuited.load(),
          c_->fallback_hits.load(), c_->failed_closed.load(), c_->circuit_opened.load()};
}

boost::system::result<hit_result> rate_limiter::hit(const compiled_rule& rule, const rate_limit& limit,
                                                   const std::string& key, std::int64_t now_ms) {
  auto& c = *c_;
  const bool circuit_open = now_ms < c.open_until_ms.load(std::memory_order_relaxed);
  boost::system::result<hit_result> r = make_error_code(limit_storage_errc::unavailable);
  if (circuit_open) {
    ++c.short_circuited;
  } else {
    r = storage_->hit(options_.strategy, key, limit, rule.cost, now_ms);
    if (r) {
      if (c.consecutive_failures.exchange(0) >= options_.circuit_failures)
        log::info("ratelimit", "storage_recovered", {{"storage", storage_->kind()}});
      return r;
    }
    ++c.storage_errors;
    const auto failures = c.consecutive_failures.fetch_add(1) + 1;
    if (failures >= options_.circuit_failures) {
      c.open_until_ms = now_ms + options_.circuit_cooldown.count();
      if (failures == options_.circuit_failures) {
        ++c.circuit_opened;
        log::error("ratelimit", "storage_circuit_open",
                   {{"storage", storage_->kind()}, {"reason", r.error().message()},
                    {"retry_in_ms", options_.circuit_cooldown.count()}});
      }
    } else {
      static log::rate_limited throttle(std::chrono::seconds(10));
      std::uint64_t suppressed = 0;
      if (throttle.allow(suppressed))
        log::warn("ratelimit", "storage_error",
                  {{"storage", storage_->kind()}, {"reason", r.error().message()}, {"suppressed", suppressed}});
    }
  }
  if (!rule.fail_open || !fallback_) return r.error();
  // Fail open onto this process's memory: each instance takes its share of the limit.
  ++c.fallback_hits;
  rate_limit local = limit;
  local.amount = std::max<std::uint64_t>(1, (limit.amount + options_.instances - 1) / std::max(1u, options_.instances));
  return fallback_->hit(options_.strategy, key, local, rule.cost, now_ms);
}

void rate_limiter::check(request& req, response& res, const next_fn& next) {
  const auto* r = req.matched_route();
  auto it = r ? rules_.find(r) : rules_.end();
  if (!options_.enabled || it == rules_.end()) {
    next(req, res);
    return;
  }
  ++c_->checked;
  const auto now = wall_ms();
  // The client part of the key, made once per request. IPv4 addresses arrive canonical
  // from the server or the proxy layer and are used as they are.
  std::string client_storage;
  std::string_view client;
  auto client_part = [&]() -> std::string_view {
    if (client.empty()) {
      const auto addr = req.client_address();
      if (addr.find(':') == std::string_view::npos && !addr.empty() && addr.size() <= 15) {
        client = addr;
      } else {
        client_storage = safe_part(client_key(req, options_.ipv6_prefix));
        client = client_storage;
      }
    }
    return client;
  };
  struct applied {
    const rate_limit* limit;
    hit_result result;
  };
  std::optional<applied> tightest;
  std::vector<applied> all;  // only for the IETF headers
  thread_local std::string key;
  bool refused = false;
  for (const auto& rule : it->second) {
    if (rule.exempt_when && rule.exempt_when(req)) continue;
    std::string custom;
    std::string_view who;
    if (rule.key) {
      custom = rule.key(req);
      if (custom.empty()) continue;
      custom = safe_part(custom);
      who = custom;
    } else {
      who = client_part();
    }
    for (std::size_t i = 0; i < rule.limits.size(); ++i) {
      const auto& limit = rule.limits[i];
      key.assign(rule.key_prefixes[i]);
      key.append(who);
      auto hr = hit(rule, limit, key, now);
      if (!hr) {  // storage down and this rule fails closed
        ++c_->failed_closed;
        throw http_error(503);
      }
      const applied a{&limit, *hr};
      if (!tightest || a.result.remaining < tightest->result.remaining ||
          (a.result.remaining == tightest->result.remaining && a.result.reset_after_ms > tightest->result.reset_after_ms))
        tightest = a;
      if (options_.ietf_headers) all.push_back(a);
      if (!hr->allowed) {
        ++c_->limited;
        static log::rate_limited throttle(std::chrono::seconds(10));
        std::uint64_t suppressed = 0;
        if (throttle.allow(suppressed))
          log::warn("ratelimit", "rate_limited",
                    {{"request_id", req.request_id()}, {"client", req.client_address()},
                     {"route", r->pattern.text()}, {"limit", limit.text}, {"suppressed", suppressed}});
        res.status(429);
        res.set_header("Retry-After", fmt::format_int(std::max<std::int64_t>(1, ceil_seconds(hr->retry_after_ms))).c_str());
        tightest = a;
        refused = true;
        break;
      }
    }
    if (refused) break;
  }
  if (!refused) next(req, res);
  if (!tightest) return;
  if (options_.headers) {
    res.add_header("X-RateLimit-Limit", fmt::format_int(tightest->result.limit).c_str());
    res.add_header("X-RateLimit-Remaining", fmt::format_int(tightest->result.remaining).c_str());
    res.add_header("X-RateLimit-Reset", fmt::format_int((now + tightest->result.reset_after_ms + 999) / 1000).c_str());
  }
  if (options_.ietf_headers) {
    std::string policy, state;
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto& a = all[i];
      if (i) {
        policy += ", ";
        state += ", ";
      }
      const auto name = fmt::format("\"{}-per-{}s\"", a.limit->amount, a.limit->period.count());
      policy += fmt::format("{};q={};w={}", name, a.limit->amount, a.limit->period.count());
      state += fmt::format("{};r={};t={}", name, a.result.remaining, ceil_seconds(a.result.reset_after_ms));
    }
    res.set_header("RateLimit-Policy", policy);
    res.set_header("RateLimit", state);
  }
}

middleware rate_limiter::layer() {
  middleware m;
  m.name = "rate_limit (RATELIMIT_*)";
  m.fn = [this](request& req, response& res, const next_fn& next) { check(req, res, next); };
  return m;
}

}  // namespace bastion
