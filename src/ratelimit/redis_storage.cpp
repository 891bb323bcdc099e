#include "ratelimit/redis_storage.hpp"

#include "ratelimit/window_math.hpp"
#include "redis/redis_client.hpp"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace bastion::detail {
namespace {

// ---- the scripts ------------------------------------------------------------------
//
// KEYS[1]: the state. ARGV: amount, period (ms), cost (at most amount + 1: every larger
// cost gives the same answer), now (ms), grace (ms). Each returns {allowed (0/1),
// remaining, reset_after_ms, retry_after_ms}. The arithmetic is window_math.hpp's, step
// by step; every number stays an integer below 2^53, where doubles are exact.

constexpr std::string_view prelude = R"lua(
local amount, p, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now, grace = tonumber(ARGV[4]), tonumber(ARGV[5])
local key = KEYS[1]

-- Decimal text of an integer (tostring would write 1e+15).
local function int(x) return string.format('%d', x) end

-- floor(a / b) and the remainder, for 0 <= a < 2^53 and 0 < b < 2^53.
local function divmod(a, b)
  local q = math.floor(a / b)
  local r = a - q * b
  if r < 0 then q, r = q - 1, r + b elseif r >= b then q, r = q + 1, r - b end
  return q, r
end

-- floor(a * b / m) and (a * b) mod m, exact even when a * b passes 2^53: for
-- 0 <= a, b < 2^53, 0 < m < 2^52 and a quotient below 2^53.
local function muldiv(a, b, m)
  if a * b < 9007199254740992 then return divmod(a * b, m) end
  local qa, ra = divmod(a, m)  -- a * b = qa * m * b + ra * b
  local bits, n, x = {}, 0, b
  while x > 0 do
    local h = math.floor(x / 2)
    n = n + 1
    bits[n] = x - 2 * h
    x = h
  end
  local q, r = 0, 0  -- ra * (the bits of b seen so far) = q * m + r, with r < m
  for i = n, 1, -1 do
    q, r = q * 2, r * 2
    if r >= m then q, r = q + 1, r - m end
    if bits[i] == 1 then
      r = r + ra
      if r >= m then q, r = q + 1, r - m end
    end
  end
  return qa * b + q, r
end
)lua";

constexpr std::string_view fixed_script = R"lua(
local _, elapsed = divmod(now, p)
local start = now - elapsed
local st = redis.call('HMGET', key, 'w', 'n')
local count, stale = 0, false
if st[1] then
  if tonumber(st[1]) == start then count = tonumber(st[2]) else stale = true end
end
local allowed = count + cost <= amount
if allowed then count = count + cost end
if allowed and cost > 0 then
  redis.call('HSET', key, 'w', int(start), 'n', int(count))
  redis.call('PEXPIRE', key, int(start + p - now + grace))
elseif stale then
  redis.call('DEL', key)  -- a past window's count: the same as no state
end
local remaining, reset, retry = 0, start + p - now, 0
if amount > count then remaining = amount - count end
if not allowed then retry = reset end
return {allowed and 1 or 0, remaining, reset, retry}
)lua";

constexpr std::string_view sliding_script = R"lua(
local _, elapsed = divmod(now, p)
local start = now - elapsed
local st = redis.call('HMGET', key, 'w', 'a', 'b')
local ws, prev, cur = -1, 0, 0
if st[1] then ws, prev, cur = tonumber(st[1]), tonumber(st[2]), tonumber(st[3]) end
local changed = false
if ws ~= start then
  if ws == start - p then prev = cur else prev = 0 end
  cur = 0
  changed = st[1] ~= false
end
-- previous * (p - elapsed) / p, rounded up: the previous window's weight, in whole hits.
local wq, wr = muldiv(prev, p - elapsed, p)
local weighted = wq
if wr > 0 then weighted = wq + 1 end
local allowed = cur + cost <= amount and weighted <= amount - cur - cost
if allowed then cur = cur + cost end
local used = cur + weighted
local remaining, reset, retry = 0, start + 2 * p - now, 0
if amount > used then remaining = amount - used end

-- counter_wait: ms from `el` until previous' * (p - t) / p + current' + cost fits, within
-- this window; -1 when it does not within it. The target time is p * (previous' - room) /
-- previous', rounded up unless its fraction is below 1e-6 (the model's 0.999999).
local function wait(previous, current, el)
  if current + cost > amount then return -1 end
  if previous == 0 then return 0 end
  local room = amount - current - cost
  if room >= previous then return 0 end
  local target, r = muldiv(p, previous - room, previous)
  if r * 1000000 >= previous then target = target + 1 end
  if target <= el then return 0 end
  if target >= p then return -1 end
  return target - el
end
if not allowed then
  retry = wait(prev, cur, elapsed)
  if retry < 0 then  -- not in this window: in the next one, current becomes previous
    local nxt = wait(cur, 0, 0)
    if nxt < 0 then nxt = p end
    retry = (start + p - now) + nxt
  end
  if retry < 1 then retry = 1 end
end

if (allowed and cost > 0) or changed then
  if prev == 0 and cur == 0 then
    redis.call('DEL', key)
  else
    redis.call('HSET', key, 'w', int(start), 'a', int(prev), 'b', int(cur))
    redis.call('PEXPIRE', key, int(start + 2 * p - now + grace))
  end
end
return {allowed and 1 or 0, remaining, reset, retry}
)lua";

constexpr std::string_view moving_script = R"lua(
local function entry(s)
  local t, b, e = string.match(s, '^(%-?%d+):(%d+):(%d+)$')
  return tonumber(t), tonumber(b), tonumber(e)
end
local function text(t, b, e) return int(t) .. ':' .. int(b) .. ':' .. int(e) end

-- Admissions that left the window go from the front, as the model pops its deque.
local cutoff = now - p
local head = redis.call('LINDEX', key, 0)
if head and entry(head) <= cutoff then
  while true do
    local batch = redis.call('LRANGE', key, 0, 127)
    local n = 0
    for i = 1, #batch do
      if entry(batch[i]) <= cutoff then n = i else break end
    end
    if n > 0 then redis.call('LTRIM', key, n, -1) end
    if n < 128 then break end
  end
end

local len = redis.call('LLEN', key)
local size, first_b, last_t, last_b, last_e = 0, 0, 0, 0, 0
if len > 0 then
  local _, b = entry(redis.call('LINDEX', key, 0))
  first_b = b
  last_t, last_b, last_e = entry(redis.call('LINDEX', key, -1))
  size = last_e - first_b
end

local allowed = size + cost <= amount
if allowed and cost > 0 then
  if last_e + cost >= 4503599627370496 then
    -- The unit numbers near 2^52: number them from 0 again.
    local ttl = redis.call('PTTL', key)
    local all = redis.call('LRANGE', key, 0, -1)
    redis.call('DEL', key)
    for i = 1, #all do
      local t, b, e = entry(all[i])
      all[i] = text(t, b - first_b, e - first_b)
    end
    for i = 1, #all, 1000 do redis.call('RPUSH', key, unpack(all, i, math.min(i + 999, #all))) end
    if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
    last_b, last_e, first_b = last_b - first_b, last_e - first_b, 0
  end
  if len > 0 and last_t == now then
    last_e = last_e + cost
    redis.call('LSET', key, -1, text(now, last_b, last_e))
  else
    last_b, last_e = last_e, last_e + cost
    if len == 0 then first_b = last_b end
    redis.call('RPUSH', key, text(now, last_b, last_e))
    len = len + 1
  end
  last_t = now
  size = size + cost
  -- The list matters until its latest admission leaves the window (an earlier expiry set
  -- from a later clock is kept).
  local ttl = p + grace
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, int(ttl)) end
end

local remaining, reset, retry = 0, 0, 0
if amount > size then remaining = amount - size end
if size > 0 then reset = last_t + p - now end
if not allowed then
  if cost > amount then
    retry = p
  else
    -- The oldest size + cost - amount units must leave first: find the last of them.
    local u = first_b + size + cost - amount - 1
    local lo, hi = 0, len - 1
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      local _, _, e = entry(redis.call('LINDEX', key, mid))
      if e <= u then lo = mid + 1 else hi = mid end
    end
    retry = entry(redis.call('LINDEX', key, lo)) + p - now
    if retry < 1 then retry = 1 end
  end
end
return {allowed and 1 or 0, remaining, reset, retry}
)lua";

constexpr std::string_view gcra_script = R"lua(
local stored = tonumber(redis.call('GET', key) or '0')
local p_us = p * 1000
local t_us = divmod(p_us, math.max(1, amount))
if t_us < 1 then t_us = 1 end
local now_us = now * 1000
local tat = math.max(stored, now_us)
local allowed, allow_at = false, 0
if cost <= amount then
  local new_tat = tat + cost * t_us
  allow_at = new_tat - p_us
  if allow_at <= now_us then
    allowed = true
    stored = new_tat
  end
end
local function ceil_ms(us)
  if us <= 0 then return 0 end
  return (divmod(us + 999, 1000))
end
local used = math.max(0, stored - now_us)
local remaining, retry = 0, 0
if p_us - used > 0 then remaining = math.min(amount, (divmod(p_us - used, t_us))) end
local reset = ceil_ms(used)
if not allowed then
  if cost > amount then retry = math.max(1, p) else retry = math.max(1, ceil_ms(allow_at - now_us)) end
end
-- (A cost-0 hit moves a past TAT up to now, as the model does: that matters to a caller
-- whose clock is behind.)
if allowed then redis.call('SET', key, int(stored), 'PX', int(ceil_ms(stored - now_us) + grace)) end
return {allowed and 1 or 0, remaining, reset, retry}
)lua";

struct script {
  std::string source;
  std::string sha;  // hex SHA-1 of the source, as EVALSHA wants it
};

std::string sha1_hex(std::string_view s) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(s.data(), s.size(), digest, &len, EVP_sha1(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

script make_script(std::string_view body) {
  script s;
  s.source.reserve(prelude.size() + body.size());
  s.source.append(prelude).append(body);
  s.sha = sha1_hex(s.source);
  return s;
}

const script& script_for(rate_strategy s) {
  static const script scripts[] = {make_script(fixed_script), make_script(moving_script),
                                   make_script(sliding_script), make_script(gcra_script)};
  switch (s) {
    case rate_strategy::fixed_window: return scripts[0];
    case rate_strategy::moving_window: return scripts[1];
    case rate_strategy::sliding_window_counter: return scripts[2];
    case rate_strategy::gcra: return scripts[3];
  }
  return scripts[0];
}

// ---- the inputs the scripts handle exactly ----------------------------------------

constexpr std::int64_t max_now_ms = std::int64_t{1} << 51;
constexpr std::int64_t max_period_ms = std::int64_t{1} << 51;
constexpr std::uint64_t max_amount = std::uint64_t{1} << 50;
constexpr std::int64_t doubles_exact = std::int64_t{1} << 53;

bool in_range(rate_strategy s, const rate_limit& l, std::int64_t now) {
  const auto p = period_ms(l);
  if (now < 0 || now > max_now_ms || p > max_period_ms || l.amount > max_amount) return false;
  return s != rate_strategy::gcra || (now + 2 * p) < doubles_exact / 1000;
}

// Extra time a key is kept after its state stops mattering: processes sharing the server
// read slightly different clocks.
constexpr std::int64_t grace_ms = 1000;

// ---- the storage ------------------------------------------------------------------

// The client's failures as the rate-limit storage's (the same three kinds).
boost::system::error_code as_limit_error(boost::system::error_code e) {
  if (e.category() != redis_category()) return e;
  switch (static_cast<redis_errc>(e.value())) {
    case redis_errc::unavailable: return limit_storage_errc::unavailable;
    case redis_errc::timeout: return limit_storage_errc::timeout;
    case redis_errc::protocol: return limit_storage_errc::protocol;
  }
  return limit_storage_errc::protocol;
}

std::string_view key_prefix(rate_strategy s) {
  switch (s) {
    case rate_strategy::fixed_window: return "bastion:rl:fixed:";
    case rate_strategy::moving_window: return "bastion:rl:moving:";
    case rate_strategy::sliding_window_counter: return "bastion:rl:sliding:";
    case rate_strategy::gcra: return "bastion:rl:gcra:";
  }
  return "bastion:rl:";
}

class redis_storage final : public limit_storage {
 public:
  redis_storage(redis_endpoint ep, const limit_storage_options& options)
      : ep_(std::move(ep)), timeout_(options.timeout), tv_(to_timeval(options.timeout)), pool_(options.pool_size) {}

  boost::system::result<hit_result> hit(rate_strategy s, std::string_view key, const rate_limit& limit,
                                        std::uint64_t cost, std::int64_t now_ms) override {
    if (!in_range(s, limit, now_ms)) return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    // Decimal arguments: amount, period, cost (a cost above the amount is refused the same
    // whatever it is, so it is capped to keep it exact in Lua), now, grace.
    char buf[5][24];
    std::string_view arg[5];
    const std::int64_t values[5] = {static_cast<std::int64_t>(limit.amount), period_ms(limit),
                                    static_cast<std::int64_t>(std::min<std::uint64_t>(cost, limit.amount + 1)),
                                    now_ms, grace_ms};
    for (int i = 0; i < 5; ++i) {
      const auto end = std::to_chars(buf[i], buf[i] + sizeof buf[i], values[i]).ptr;
      arg[i] = std::string_view(buf[i], static_cast<std::size_t>(end - buf[i]));
    }
    const auto redis_key_text = redis_key(s, key);
    const auto& sc = script_for(s);

    auto conn = pool_.take(timeout_);
    if (!conn) return make_error_code(limit_storage_errc::timeout);
    if (auto e = (*conn)->ready(ep_, tv_)) return as_limit_error(e);
    auto eval = [&] {
      return (*conn)->command({"EVALSHA", sc.sha, "1", redis_key_text, arg[0], arg[1], arg[2], arg[3], arg[4]});
    };
    auto reply = eval();
    if (!reply) return as_limit_error(reply.error());
    if ((*reply)->type == REDIS_REPLY_ERROR && starts_with(**reply, "NOSCRIPT")) {
      // A server that has not seen the script (new, restarted or flushed): load it, once.
      auto loaded = (*conn)->command({"SCRIPT", "LOAD", sc.source});
      if (!loaded) return as_limit_error(loaded.error());
      if ((*loaded)->type == REDIS_REPLY_ERROR) return as_limit_error(reply_errc(**loaded));
      if ((*loaded)->type != REDIS_REPLY_STRING || std::string_view((*loaded)->str, (*loaded)->len) != sc.sha)
        return make_error_code(limit_storage_errc::protocol);
      reply = eval();
      if (!reply) return as_limit_error(reply.error());
    }
    return decode(**reply, limit.amount);
  }

  bool ping() override {
    auto conn = pool_.take(timeout_);
    if (!conn || (*conn)->ready(ep_, tv_)) return false;
    auto reply = (*conn)->command({"PING"});
    return reply && (*reply)->type == REDIS_REPLY_STATUS && starts_with(**reply, "PONG");
  }

  std::string_view kind() const noexcept override { return "redis"; }

 private:
  static boost::system::result<hit_result> decode(const redisReply& r, std::uint64_t amount) {
    if (r.type == REDIS_REPLY_ERROR) return as_limit_error(reply_errc(r));
    if (r.type != REDIS_REPLY_ARRAY || r.elements != 4) return make_error_code(limit_storage_errc::protocol);
    long long v[4];
    for (std::size_t i = 0; i < 4; ++i) {
      if (r.element[i]->type != REDIS_REPLY_INTEGER) return make_error_code(limit_storage_errc::protocol);
      v[i] = r.element[i]->integer;
    }
    // (reset_after_ms is negative where the model's is: a moving window whose newest
    // admission is older than one that arrived before it, from a clock behind.)
    if ((v[0] != 0 && v[0] != 1) || v[1] < 0 || static_cast<std::uint64_t>(v[1]) > amount || v[3] < 0)
      return make_error_code(limit_storage_errc::protocol);
    hit_result h;
    h.allowed = v[0] == 1;
    h.limit = amount;
    h.remaining = static_cast<std::uint64_t>(v[1]);
    h.reset_after_ms = v[2];
    h.retry_after_ms = v[3];
    return h;
  }

  redis_endpoint ep_;
  std::chrono::milliseconds timeout_;
  timeval tv_;
  redis_pool pool_;
};

}  // namespace

std::unique_ptr<limit_storage> make_redis_storage(std::string_view host, std::uint16_t port, int db,
                                                  const limit_storage_options& options, std::string_view username,
                                                  std::string_view password) {
  redis_endpoint ep{std::string(host), port, db, std::string(username), std::string(password)};
  return std::make_unique<redis_storage>(std::move(ep), options);
}

std::string redis_key(rate_strategy s, std::string_view key) {
  const auto prefix = key_prefix(s);
  std::string out;
  out.reserve(prefix.size() + key.size());
  out.append(prefix).append(key);
  return out;
}

}  // namespace bastion::detail
