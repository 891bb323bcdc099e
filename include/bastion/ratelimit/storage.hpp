#pragma once
// Where rate-limit counters live, behind one interface: memory://, redis://, memcached://.
//
// Every storage implements every strategy with the same arithmetic (the reference is
// src/ratelimit/window_math.hpp, which the memory storage uses directly), and each hit
// is one atomic step: check and count together, so N concurrent hits on a limit of N
// admit exactly N. Times are milliseconds on the caller's wall clock, passed in, so the
// arithmetic is testable and every process sharing a storage agrees.
#include <bastion/ratelimit/limit.hpp>

#include <boost/system/result.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bastion {

enum class rate_strategy {
  fixed_window,            // one counter per aligned window: O(1), allows up to 2N across a boundary
  moving_window,           // exact sliding log of admitted hits: O(N) memory per key
  sliding_window_counter,  // previous + current window, weighted: O(1), approximate
  gcra,                    // generic cell rate (token bucket): O(1), smooth, bursts up to N
};
std::string_view to_string(rate_strategy s) noexcept;
std::optional<rate_strategy> rate_strategy_from(std::string_view name) noexcept;  // "fixed-window", ...

struct hit_result {
  bool allowed = false;
  std::uint64_t limit = 0;
  std::uint64_t remaining = 0;     // after this hit
  std::int64_t reset_after_ms = 0; // until the limit is fully available again
  std::int64_t retry_after_ms = 0; // when refused: until this hit would be admitted
};

enum class limit_storage_errc { unavailable = 1, timeout, protocol };
const boost::system::error_category& limit_storage_category() noexcept;
inline boost::system::error_code make_error_code(limit_storage_errc e) noexcept {
  return {static_cast<int>(e), limit_storage_category()};
}

class limit_storage {
 public:
  virtual ~limit_storage() = default;
  // Counts `cost` hits of `key` against `limit` at `now_ms` if they fit; says whether
  // they did. `key` is at most 200 bytes of [A-Za-z0-9:._/-] (the limiter guarantees it).
  // Fails (never throws) when the storage cannot be reached in time.
  virtual boost::system::result<hit_result> hit(rate_strategy s, std::string_view key, const rate_limit& limit,
                                                std::uint64_t cost, std::int64_t now_ms) = 0;
  // Reachable right now (readiness).
  virtual bool ping() = 0;
  // "memory", "redis", "memcached".
  virtual std::string_view kind() const noexcept = 0;
};

struct limit_storage_options {
  std::chrono::milliseconds timeout{200};  // connect and each round trip
  std::size_t pool_size = 8;               // connections (redis, memcached)
  std::size_t memory_max_keys = 1'000'000; // memory://: bound on tracked keys
};

// Opens the storage for `uri` (memory://, redis://host:port/db, memcached://host:port).
// Fails for an unsupported or malformed URI; an unreachable server is not a failure here
// (hits fail until it answers).
boost::system::result<std::unique_ptr<limit_storage>> open_limit_storage(std::string_view uri,
                                                                         const limit_storage_options& options = {});

}  // namespace bastion

template <>
struct boost::system::is_error_code_enum<bastion::limit_storage_errc> : std::true_type {};
