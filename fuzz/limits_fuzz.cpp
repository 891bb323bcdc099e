// Rate-limit configuration text: limit expressions and storage URIs.
//
// parse_limits: a success has 1..N limits, each with amount >= 1 and a positive period
// that is a whole number of known units, and its normalised text parses back to the same
// limit; a failure always says why. The strategies' arithmetic then runs on the parsed
// limits at an arbitrary time and must keep its invariants (remaining <= amount, no
// negative waits, a refused hit always gives a wait). Redis and memcached URIs: a success
// has a non-empty host and a non-zero port.
#include "fuzz_check.hpp"

#include "ratelimit/memcached_storage.hpp"
#include "ratelimit/redis_storage.hpp"
#include "ratelimit/window_math.hpp"

#include <bastion/ratelimit/limit.hpp>

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto parsed = bastion::parse_limits(text, &why);
  if (!parsed) {
    FUZZ_CHECK(!why.empty());
  } else {
    FUZZ_CHECK(!parsed->empty());
    for (const auto& l : *parsed) {
      FUZZ_CHECK(l.amount >= 1);
      FUZZ_CHECK(l.period.count() >= 1);
      auto again = bastion::parse_limits(l.text);
      FUZZ_CHECK(again && again->size() == 1 && again->front().amount == l.amount &&
                 again->front().period == l.period);
      const std::int64_t now = static_cast<std::int64_t>(size) * 7919 + 1'700'000'000'000LL;
      const std::uint64_t cost = 1 + size % 3;
      bastion::detail::fixed_state f;
      bastion::detail::counter_state c;
      bastion::detail::moving_state m;
      bastion::detail::gcra_state g;
      for (int i = 0; i < 3; ++i) {
        for (const auto& r : {bastion::detail::fixed_hit(f, l, cost, now + i), bastion::detail::sliding_counter_hit(c, l, cost, now + i),
                              bastion::detail::gcra_hit(g, l, cost, now + i)}) {
          FUZZ_CHECK(r.remaining <= l.amount);
          FUZZ_CHECK(r.retry_after_ms >= 0 && r.reset_after_ms >= 0);
          FUZZ_CHECK(r.allowed || r.retry_after_ms > 0);
        }
        if (l.amount <= 10000) {
          const auto r = bastion::detail::moving_hit(m, l, cost, now + i);
          FUZZ_CHECK(r.remaining <= l.amount && (r.allowed || r.retry_after_ms > 0));
        }
      }
    }
  }
  if (auto r = bastion::detail::parse_redis_uri(text)) FUZZ_CHECK(!r->host.empty() && r->port != 0 && r->db >= 0);
  if (auto m = bastion::detail::parse_memcached_uri(text)) FUZZ_CHECK(!m->host.empty() && m->port != 0);
  return 0;
}
