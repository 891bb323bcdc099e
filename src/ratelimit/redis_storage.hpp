#pragma once
// redis://[[user]:password@]host[:port][/db]: counters in a Redis server, shared by every
// process that points at it.
//
// Each hit is one round trip: EVALSHA of the strategy's Lua script, which reads the key's
// state, runs the arithmetic of window_math.hpp on the caller's now_ms and writes the new
// state back, atomically (Redis runs one script at a time). The scripts are loaded with
// SCRIPT LOAD the first time a server answers NOSCRIPT (a new or restarted server), then
// the hit is sent again, once.
//
//   fixed window            a hash {w: window start, n: count}
//   sliding window counter  a hash {w: window start, a: previous count, b: current count}
//   moving window           a list of admissions "t:b:e", oldest first: time t (ms) and the
//                           half-open range [b, e) of cost units admitted then, numbered
//                           along the key's life; the units of one millisecond share an entry
//   gcra                    a string: the theoretical arrival time in microseconds
//
// Keys expire (PEXPIRE) once their state no longer changes any answer, plus a second's
// grace for clock differences between the processes sharing the server. Lua numbers are
// doubles, so the scripts keep every integer below 2^53 and do the products that can pass
// it (the sliding counter's previous × (period − elapsed) and period × (previous − room))
// in exact shift-and-add arithmetic; hits whose inputs would break that bound (now_ms < 0
// or > 2^51, an amount > 2^50, a period > 2^51 ms, or for GCRA (now_ms + 2 × period) ×
// 1000 >= 2^53, about the year 2250 for a one-year period) fail with invalid_argument
// before any I/O.
//
// Connections come from a pool of limit_storage_options::pool_size blocking hiredis
// contexts; connecting and every round trip wait at most limit_storage_options::timeout,
// and so does waiting for a free connection. A connection that failed, or that the server
// closed while it sat idle, is dropped and connected again on its next use (one attempt per
// hit). Failures come back as limit_storage_errc: unavailable (refused, closed, loading,
// read-only), timeout, protocol (an answer that makes no sense, a failed AUTH or SELECT).
#include <bastion/ratelimit/storage.hpp>

#include "redis/redis_client.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bastion::detail {

std::unique_ptr<limit_storage> make_redis_storage(std::string_view host, std::uint16_t port, int db,
                                                  const limit_storage_options& options,
                                                  std::string_view username = {}, std::string_view password = {});

// The Redis key that holds `key`'s state under strategy `s`.
std::string redis_key(rate_strategy s, std::string_view key);

}  // namespace bastion::detail
