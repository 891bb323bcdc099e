#pragma once
// The arithmetic of each strategy on its per-key state: the reference every storage
// follows (the memory storage calls these directly; the Redis scripts and memcached
// CAS loops do the same steps), and the model the tests compare against.
//
// Times are milliseconds (GCRA works in microseconds inside). A hit of `cost` is
// admitted only when all of it fits; refused hits are not counted.
#include <bastion/ratelimit/storage.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>

namespace bastion::detail {

__extension__ using u128 = unsigned __int128;  // amount × period in ms can pass 2^64

inline std::int64_t period_ms(const rate_limit& l) noexcept { return std::max<std::int64_t>(1, l.period.count() * 1000); }

// ---- fixed window: one counter per aligned window --------------------------------
struct fixed_state {
  std::int64_t window_start = -1;
  std::uint64_t count = 0;
};

inline hit_result fixed_hit(fixed_state& s, const rate_limit& l, std::uint64_t cost, std::int64_t now) {
  const auto p = period_ms(l);
  const auto start = now - now % p;
  if (s.window_start != start) {
    s.window_start = start;
    s.count = 0;
  }
  hit_result r;
  r.limit = l.amount;
  r.allowed = s.count + cost <= l.amount;
  if (r.allowed) s.count += cost;
  r.remaining = l.amount > s.count ? l.amount - s.count : 0;
  r.reset_after_ms = start + p - now;
  r.retry_after_ms = r.allowed ? 0 : r.reset_after_ms;
  return r;
}

// ---- sliding window counter: previous window's count, weighted by overlap ---------
struct counter_state {
  std::int64_t window_start = -1;
  std::uint64_t previous = 0, current = 0;
};

// Milliseconds from `elapsed` (into the window) until previous*(p-t)/p + current + cost
// fits in amount, within this window; -1 when it does not within it.
inline std::int64_t counter_wait(std::uint64_t previous, std::uint64_t current, std::uint64_t cost, std::uint64_t amount,
                                 std::int64_t p, std::int64_t elapsed) {
  if (current + cost > amount) return -1;
  if (previous == 0) return 0;
  const auto room = static_cast<long double>(amount - current - cost);  // previous*(p-t)/p <= room
  const auto t = static_cast<long double>(p) - room * static_cast<long double>(p) / static_cast<long double>(previous);
  const auto target = static_cast<std::int64_t>(t + 0.999999L);
  return target <= elapsed ? 0 : (target >= p ? -1 : target - elapsed);
}

inline hit_result sliding_counter_hit(counter_state& s, const rate_limit& l, std::uint64_t cost, std::int64_t now) {
  const auto p = period_ms(l);
  const auto start = now - now % p;
  if (s.window_start != start) {
    s.previous = s.window_start == start - p ? s.current : 0;
    s.current = 0;
    s.window_start = start;
  }
  const auto elapsed = now - start;
  hit_result r;
  r.limit = l.amount;
  // previous*(p-elapsed)/p + current + cost <= amount, in integers (scaled by p).
  const auto weighted = static_cast<u128>(s.previous) * static_cast<std::uint64_t>(p - elapsed);
  const auto used_scaled = weighted + static_cast<u128>(s.current) * static_cast<std::uint64_t>(p);
  r.allowed = used_scaled + static_cast<u128>(cost) * static_cast<std::uint64_t>(p) <=
              static_cast<u128>(l.amount) * static_cast<std::uint64_t>(p);
  if (r.allowed) s.current += cost;
  const auto used_now = weighted + static_cast<u128>(s.current) * static_cast<std::uint64_t>(p);
  const auto used = static_cast<std::uint64_t>((used_now + static_cast<std::uint64_t>(p) - 1) / static_cast<std::uint64_t>(p));
  r.remaining = l.amount > used ? l.amount - used : 0;
  r.reset_after_ms = start + 2 * p - now;  // both windows' counts gone
  if (!r.allowed) {
    auto wait = counter_wait(s.previous, s.current, cost, l.amount, p, elapsed);
    if (wait < 0) {  // not in this window: in the next one, current becomes previous
      const auto next = counter_wait(s.current, 0, cost, l.amount, p, 0);
      wait = (start + p - now) + (next < 0 ? p : next);
    }
    r.retry_after_ms = std::max<std::int64_t>(1, wait);
  }
  return r;
}

// ---- moving window: the exact log of admitted hits --------------------------------
struct moving_state {
  std::deque<std::int64_t> hits;  // admission times, oldest first (one entry per cost unit)
};

inline hit_result moving_hit(moving_state& s, const rate_limit& l, std::uint64_t cost, std::int64_t now) {
  const auto p = period_ms(l);
  while (!s.hits.empty() && s.hits.front() <= now - p) s.hits.pop_front();
  hit_result r;
  r.limit = l.amount;
  r.allowed = s.hits.size() + cost <= l.amount;
  if (r.allowed) s.hits.insert(s.hits.end(), cost, now);
  r.remaining = l.amount > s.hits.size() ? l.amount - s.hits.size() : 0;
  r.reset_after_ms = s.hits.empty() ? 0 : s.hits.back() + p - now;
  if (!r.allowed) {
    if (cost > l.amount) {
      r.retry_after_ms = p;
    } else {  // the oldest (size + cost - amount) entries must expire first
      const auto k = s.hits.size() + cost - l.amount - 1;
      r.retry_after_ms = std::max<std::int64_t>(1, s.hits[k] + p - now);
    }
  }
  return r;
}

// ---- GCRA: theoretical arrival time, in microseconds ------------------------------
struct gcra_state {
  std::int64_t tat_us = 0;
};

inline std::int64_t gcra_interval_us(const rate_limit& l) noexcept {
  return std::max<std::int64_t>(1, period_ms(l) * 1000 / static_cast<std::int64_t>(std::max<std::uint64_t>(1, l.amount)));
}

inline std::int64_t ceil_ms(std::int64_t us) noexcept { return us <= 0 ? 0 : (us + 999) / 1000; }

inline hit_result gcra_hit(gcra_state& s, const rate_limit& l, std::uint64_t cost, std::int64_t now) {
  const auto p_us = period_ms(l) * 1000;
  const auto t_us = gcra_interval_us(l);
  const auto now_us = now * 1000;
  const auto tat = std::max(s.tat_us, now_us);
  const auto new_tat = tat + static_cast<std::int64_t>(cost) * t_us;
  const auto allow_at = new_tat - p_us;
  hit_result r;
  r.limit = l.amount;
  r.allowed = allow_at <= now_us && cost <= l.amount;
  if (r.allowed) s.tat_us = new_tat;
  const auto used_us = std::max<std::int64_t>(0, s.tat_us - now_us);
  const auto left = (p_us - used_us) / t_us;
  r.remaining = left <= 0 ? 0 : std::min<std::uint64_t>(l.amount, static_cast<std::uint64_t>(left));
  r.reset_after_ms = ceil_ms(used_us);
  r.retry_after_ms = r.allowed ? 0 : std::max<std::int64_t>(1, cost > l.amount ? period_ms(l) : ceil_ms(allow_at - now_us));
  return r;
}

}  // namespace bastion::detail
