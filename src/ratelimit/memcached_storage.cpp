#include "ratelimit/memcached_storage.hpp"

#include "ratelimit/window_math.hpp"

#include <libmemcached/memcached.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <new>
#include <random>
#include <thread>
#include <utility>
#include <vector>

namespace bastion::detail {
namespace {

using boost::system::result;

// A hit that loses the race for its key this many times in a row gives up (timeout).
constexpr int max_attempts = 50;
// memcached reads a relative expiry longer than 30 days as an absolute Unix time.
constexpr std::int64_t max_relative_expiry_s = 30LL * 24 * 3600;
// Entries a moving-window item may decode to, whatever the limit (garbage protection).
constexpr std::uint64_t min_moving_entries_cap = 1'000'000;
// A caller waits for a free pooled connection at most this many timeouts: the hits ahead
// of it take a few round trips each.
constexpr int pool_wait_factor = 5;
// Read by ping(); it never exists, a miss is a good answer.
constexpr std::string_view ping_key = "bastion:ratelimit:ping";

limit_storage_errc classify(memcached_return_t rc) noexcept {
  switch (rc) {
    case MEMCACHED_TIMEOUT:
      return limit_storage_errc::timeout;
    case MEMCACHED_CONNECTION_FAILURE:
    case MEMCACHED_HOST_LOOKUP_FAILURE:
    case MEMCACHED_CONNECTION_BIND_FAILURE:
    case MEMCACHED_WRITE_FAILURE:
    case MEMCACHED_READ_FAILURE:
    case MEMCACHED_ERRNO:
    case MEMCACHED_NO_SERVERS:
    case MEMCACHED_SERVER_MARKED_DEAD:
    case MEMCACHED_SERVER_TEMPORARILY_DISABLED:
    case MEMCACHED_IN_PROGRESS:
    case MEMCACHED_MEMORY_ALLOCATION_FAILURE:
      return limit_storage_errc::unavailable;
    default:  // errors the server answered with, unreadable answers, oversized items
      return limit_storage_errc::protocol;
  }
}

bool is_connection_failure(memcached_return_t rc) noexcept {
  return classify(rc) == limit_storage_errc::unavailable && rc != MEMCACHED_SERVER_TEMPORARILY_DISABLED &&
         rc != MEMCACHED_SERVER_MARKED_DEAD && rc != MEMCACHED_NO_SERVERS && rc != MEMCACHED_MEMORY_ALLOCATION_FAILURE;
}

// True while the client holds an open socket to its server.
bool connected(const memcached_st* c) noexcept {
  return memcached_server_srcport(memcached_server_instance_by_position(c, 0)) != 0;
}

// Maps a failed request to the storage's error. A connection that is still open after a
// failure may have an answer in flight that would be read as the next request's answer,
// so it is closed; the next request connects again. (A connection that failed to open is
// already closed, and closing again would forget libmemcached's retry delay.)
boost::system::error_code fail(memcached_st* c, memcached_return_t rc) noexcept {
  if (connected(c)) memcached_quit(c);
  return make_error_code(classify(rc));
}

bool valid_key(std::string_view key) noexcept {
  if (key.empty() || key.size() > MEMCACHED_MAX_KEY - 1) return false;
  return std::all_of(key.begin(), key.end(), [](char ch) { return ch > ' ' && ch < 0x7f; });
}

// Seconds to keep an item whose state matters for `ttl_ms` more milliseconds: rounded up,
// plus one because memcached's clock ticks in whole seconds (an item set just before a tick
// would otherwise expire up to a second early). Beyond 30 days memcached wants an absolute
// time; it gets one with a minute of slack for clocks that disagree.
std::time_t expiry(std::int64_t ttl_ms) noexcept {
  std::int64_t s = ttl_ms <= 0 ? 1 : ttl_ms / 1000 + (ttl_ms % 1000 != 0 ? 1 : 0);
  s += 1;
  if (s <= max_relative_expiry_s) return static_cast<std::time_t>(s);
  const std::int64_t now = std::time(nullptr);
  const std::int64_t at = s > INT_MAX - now - 60 ? INT_MAX : now + s + 60;
  return static_cast<std::time_t>(at);
}

// ---- state encoding: a tag and decimal integers separated by single spaces -------------

template <class T>
void put(std::string& out, T v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out += ' ';
  out.append(buf, r.ptr);
}

class fields {
 public:
  explicit fields(std::string_view s) : s_(s) {}
  template <class T>
  bool next(T& v) noexcept {
    if (pos_ >= s_.size() || s_[pos_] != ' ') return false;
    ++pos_;
    const auto* first = s_.data() + pos_;
    const auto r = std::from_chars(first, s_.data() + s_.size(), v);
    if (r.ec != std::errc{} || r.ptr == first) return false;
    pos_ = static_cast<std::size_t>(r.ptr - s_.data());
    return true;
  }
  bool done() const noexcept { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  std::size_t pos_ = 1;  // after the tag
};

// One strategy: its state, tag, encoding, arithmetic and how long its state matters.
struct fixed_codec {
  using state = fixed_state;
  static constexpr char tag = 'f';
  static void encode(const state& s, std::string& out) {
    out.assign(1, tag);
    put(out, s.window_start);
    put(out, s.count);
  }
  static bool decode(fields& f, state& s, const rate_limit&) { return f.next(s.window_start) && f.next(s.count); }
  static hit_result apply(state& s, const rate_limit& l, std::uint64_t cost, std::int64_t now) {
    return fixed_hit(s, l, cost, now);
  }
  static std::int64_t expires(const state& s, const rate_limit& l) { return s.window_start + period_ms(l); }
};

struct counter_codec {
  using state = counter_state;
  static constexpr char tag = 's';
  static void encode(const state& s, std::string& out) {
    out.assign(1, tag);
    put(out, s.window_start);
    put(out, s.previous);
    put(out, s.current);
  }
  static bool decode(fields& f, state& s, const rate_limit&) {
    return f.next(s.window_start) && f.next(s.previous) && f.next(s.current);
  }
  static hit_result apply(state& s, const rate_limit& l, std::uint64_t cost, std::int64_t now) {
    return sliding_counter_hit(s, l, cost, now);
  }
  static std::int64_t expires(const state& s, const rate_limit& l) { return s.window_start + 2 * period_ms(l); }
};

struct gcra_codec {
  using state = gcra_state;
  static constexpr char tag = 'g';
  static void encode(const state& s, std::string& out) {
    out.assign(1, tag);
    put(out, s.tat_us);
  }
  static bool decode(fields& f, state& s, const rate_limit&) { return f.next(s.tat_us); }
  static hit_result apply(state& s, const rate_limit& l, std::uint64_t cost, std::int64_t now) {
    return gcra_hit(s, l, cost, now);
  }
  static std::int64_t expires(const state& s, const rate_limit&) { return ceil_ms(s.tat_us); }
};

// The log as runs of equal times: "m <t1> <n1> <t2-t1> <n2> <t3-t2> <n3> ...".
struct moving_codec {
  using state = moving_state;
  static constexpr char tag = 'm';
  static void encode(const state& s, std::string& out) {
    out.assign(1, tag);
    std::int64_t previous = 0;
    for (auto it = s.hits.begin(); it != s.hits.end();) {
      const auto t = *it;
      const auto end = std::find_if(it, s.hits.end(), [t](std::int64_t x) { return x != t; });
      put(out, it == s.hits.begin() ? t : t - previous);
      put(out, static_cast<std::uint64_t>(end - it));
      previous = t;
      it = end;
    }
  }
  static bool decode(fields& f, state& s, const rate_limit& l) {
    const auto cap = std::max(min_moving_entries_cap, l.amount);
    std::int64_t t = 0;
    std::uint64_t total = 0;
    for (bool first = true; !f.done(); first = false) {
      std::int64_t d = 0;
      std::uint64_t n = 0;
      if (!f.next(d) || !f.next(n) || n == 0 || n > cap - total) return false;
      if (first) {
        t = d;
      } else if (__builtin_add_overflow(t, d, &t)) {
        return false;
      }
      total += n;
      s.hits.insert(s.hits.end(), n, t);
    }
    return true;
  }
  static hit_result apply(state& s, const rate_limit& l, std::uint64_t cost, std::int64_t now) {
    return moving_hit(s, l, cost, now);
  }
  static std::int64_t expires(const state& s, const rate_limit& l) {
    // The newest entry, wherever it sits (callers' clocks may disagree).
    if (s.hits.empty()) return 0;
    return *std::max_element(s.hits.begin(), s.hits.end()) + period_ms(l);
  }
};

// ---- requests ----------------------------------------------------------------------------

struct stored_item {
  std::string value;
  std::uint64_t cas = 0;
};

// `gets`: the item and its CAS token, or nothing when the key is absent. An idle pooled
// connection may have been closed by a server restart; the first request then fails on
// the dead socket, so a connection failure on a connection that was open is retried once,
// on a new connection. (A read is safe to repeat.)
result<std::optional<stored_item>> gets(memcached_st* c, std::string_view key) {
  for (int round = 0;; ++round) {
    const bool was_connected = connected(c);
    const char* keys[] = {key.data()};
    const std::size_t lengths[] = {key.size()};
    memcached_return_t rc = memcached_mget(c, keys, lengths, 1);
    std::optional<stored_item> item;
    if (memcached_success(rc)) {
      memcached_result_st res;
      memcached_result_create(c, &res);
      while (memcached_fetch_result(c, &res, &rc) != nullptr) {
        if (!item) item = stored_item{std::string(memcached_result_value(&res), memcached_result_length(&res)),
                                      memcached_result_cas(&res)};
      }
      memcached_result_free(&res);
      if (rc == MEMCACHED_END || rc == MEMCACHED_NOTFOUND) {
        // A miss must be a real one, not a failure reported as "not found".
        const auto last = memcached_last_error(c);
        if (last == MEMCACHED_SUCCESS || last == MEMCACHED_END || last == MEMCACHED_NOTFOUND) {
          if (item && item->cas == 0) return fail(c, MEMCACHED_PROTOCOL_ERROR);  // server runs with CAS off (-C)
          return item;
        }
        rc = last;
      }
    }
    if (round == 0 && was_connected && is_connection_failure(rc)) continue;
    return fail(c, rc);
  }
}

void backoff(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  const int cap_us = std::min(2000, 20 << std::min(attempt, 7));
  std::uniform_int_distribution<int> pick(0, cap_us);
  std::this_thread::sleep_for(std::chrono::microseconds(pick(rng)));
}

// ---- connections -------------------------------------------------------------------------

// Clones of a configured client, made on demand up to `size`, each used by one thread at
// a time; a caller waits for a free one at most `wait`.
class client_pool {
 public:
  client_pool(memcached_st* master, std::size_t size) : master_(master), size_(std::max<std::size_t>(1, size)) {}
  ~client_pool() {
    for (auto* c : idle_) memcached_free(c);
    if (master_ != nullptr) memcached_free(master_);
  }
  client_pool(const client_pool&) = delete;
  client_pool& operator=(const client_pool&) = delete;

  class lease {
   public:
    lease(client_pool& pool, memcached_st* c) : pool_(&pool), c_(c) {}
    lease(lease&& o) noexcept : pool_(o.pool_), c_(std::exchange(o.c_, nullptr)) {}
    lease& operator=(lease&&) = delete;
    ~lease() {
      if (c_ != nullptr) pool_->release(c_);
    }
    memcached_st* get() const noexcept { return c_; }

   private:
    client_pool* pool_;
    memcached_st* c_;
  };

  result<lease> acquire(std::chrono::milliseconds wait) {
    std::unique_lock lock(m_);
    if (master_ == nullptr) return make_error_code(limit_storage_errc::unavailable);
    if (!cv_.wait_for(lock, wait, [&] { return !idle_.empty() || created_ < size_; }))
      return make_error_code(limit_storage_errc::timeout);
    if (!idle_.empty()) {
      auto* c = idle_.back();  // the most recently used: its connection is the likeliest to be open
      idle_.pop_back();
      return lease(*this, c);
    }
    auto* c = memcached_clone(nullptr, master_);
    if (c == nullptr) return make_error_code(limit_storage_errc::unavailable);
    ++created_;
    return lease(*this, c);
  }

 private:
  void release(memcached_st* c) {
    {
      std::lock_guard lock(m_);
      idle_.push_back(c);
    }
    cv_.notify_one();
  }

  std::mutex m_;
  std::condition_variable cv_;
  memcached_st* master_;
  std::size_t size_;
  std::size_t created_ = 0;
  std::vector<memcached_st*> idle_;
};

// ---- hits ----------------------------------------------------------------------------------

// One hit as an optimistic transaction on the key's item.
// A connection is held for one attempt only, not while backing off after a lost race.
template <class Codec>
result<hit_result> transact(client_pool& pool, std::chrono::milliseconds wait, std::string_view key,
                            const rate_limit& l, std::uint64_t cost, std::int64_t now) {
  std::string encoded;
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    if (attempt > 0) backoff(attempt);
    auto lease = pool.acquire(wait);
    if (!lease) return lease.error();
    auto* c = lease->get();
    auto item = gets(c, key);
    if (!item) return item.error();
    typename Codec::state st{};
    if (*item && !(*item)->value.empty() && (*item)->value[0] == Codec::tag) {
      fields f((*item)->value);
      if (!Codec::decode(f, st, l) || !f.done()) return fail(c, MEMCACHED_PROTOCOL_ERROR);
    }  // absent, or kept for another strategy: starts afresh, as in memory://
    const hit_result r = Codec::apply(st, l, cost, now);
    Codec::encode(st, encoded);
    if (*item ? (*item)->value == encoded : !r.allowed) return r;  // nothing to write
    const auto exptime = expiry(Codec::expires(st, l) - now);
    const auto rc = *item ? memcached_cas(c, key.data(), key.size(), encoded.data(), encoded.size(), exptime, 0,
                                          (*item)->cas)
                          : memcached_add(c, key.data(), key.size(), encoded.data(), encoded.size(), exptime, 0);
    if (rc == MEMCACHED_SUCCESS || rc == MEMCACHED_STORED) return r;
    // Someone else wrote (or the item expired, or was created) in between: again.
    if (rc == MEMCACHED_DATA_EXISTS || rc == MEMCACHED_NOTSTORED || rc == MEMCACHED_NOTFOUND) continue;
    return fail(c, rc);
  }
  return make_error_code(limit_storage_errc::timeout);
}

memcached_st* configured_client(std::string_view host, std::uint16_t port, std::chrono::milliseconds timeout) {
  memcached_st* m = memcached_create(nullptr);
  if (m == nullptr) return nullptr;
  const std::string name(host);
  if (memcached_failed(memcached_server_add(m, name.c_str(), port))) {
    memcached_free(m);
    return nullptr;
  }
  const auto ms = static_cast<std::uint64_t>(std::max<std::int64_t>(1, timeout.count()));
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_SUPPORT_CAS, 1);
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, ms);
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, ms);
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_RCV_TIMEOUT, ms * 1000);  // microseconds
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_SND_TIMEOUT, ms * 1000);
  // A server that refused or timed out a connection is not tried again for a second
  // (requests fail at once meanwhile), then is tried again. The single server is never
  // ejected.
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_RETRY_TIMEOUT, 1);
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 1);
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_AUTO_EJECT_HOSTS, 0);
  return m;
}

class memcached_storage final : public limit_storage {
 public:
  memcached_storage(std::string_view host, std::uint16_t port, const limit_storage_options& options)
      : timeout_(std::max(options.timeout, std::chrono::milliseconds(1))),
        pool_wait_(pool_wait_factor * timeout_),
        pool_(configured_client(host, port, timeout_), options.pool_size) {}

  result<hit_result> hit(rate_strategy s, std::string_view key, const rate_limit& limit, std::uint64_t cost,
                         std::int64_t now_ms) override {
    if (!valid_key(key)) return make_error_code(limit_storage_errc::protocol);
    try {
      switch (s) {
        case rate_strategy::fixed_window: return transact<fixed_codec>(pool_, pool_wait_, key, limit, cost, now_ms);
        case rate_strategy::moving_window: return transact<moving_codec>(pool_, pool_wait_, key, limit, cost, now_ms);
        case rate_strategy::sliding_window_counter:
          return transact<counter_codec>(pool_, pool_wait_, key, limit, cost, now_ms);
        case rate_strategy::gcra: return transact<gcra_codec>(pool_, pool_wait_, key, limit, cost, now_ms);
      }
    } catch (const std::bad_alloc&) {  // between requests: no connection is left mid-answer
      return make_error_code(limit_storage_errc::unavailable);
    }
    return make_error_code(limit_storage_errc::protocol);
  }

  bool ping() override {
    auto lease = pool_.acquire(pool_wait_);
    return lease && gets(lease->get(), ping_key).has_value();
  }

  std::string_view kind() const noexcept override { return "memcached"; }

 private:
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds pool_wait_;
  client_pool pool_;
};

bool host_char(char ch) noexcept {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
         ch == '_';
}

bool v6_char(char ch) noexcept {
  return (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') || (ch >= '0' && ch <= '9') || ch == ':' || ch == '.';
}

}  // namespace

std::optional<memcached_address> parse_memcached_uri(std::string_view uri) {
  constexpr std::string_view scheme = "memcached://";
  if (!uri.starts_with(scheme)) return std::nullopt;
  auto rest = uri.substr(scheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::string_view host;
  std::string_view after;  // ":port" or nothing
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = rest.substr(1, close - 1);
    after = rest.substr(close + 1);
    if (host.empty() || !std::all_of(host.begin(), host.end(), v6_char)) return std::nullopt;
  } else {
    const auto colon = rest.find(':');
    host = rest.substr(0, colon);
    after = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon);
    if (host.empty() || host.size() > 253 || !std::all_of(host.begin(), host.end(), host_char)) return std::nullopt;
  }
  memcached_address a;
  a.host = std::string(host);
  if (!after.empty()) {
    if (after[0] != ':') return std::nullopt;
    const auto digits = after.substr(1);
    unsigned port = 0;
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || digits[0] == '+' || r.ec != std::errc{} || r.ptr != digits.data() + digits.size() ||
        port == 0 || port > 65535)
      return std::nullopt;
    a.port = static_cast<std::uint16_t>(port);
  }
  return a;
}

std::unique_ptr<limit_storage> make_memcached_storage(std::string_view host, std::uint16_t port,
                                                      const limit_storage_options& options) {
  return std::make_unique<memcached_storage>(host, port, options);
}

}  // namespace bastion::detail
