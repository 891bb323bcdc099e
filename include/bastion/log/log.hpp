#pragma once
// Structured JSON-lines logging on top of spdlog.
//
// Every line is one JSON object: {"ts":...,"level":...,"logger":...,"event":...,<fields>}.
// Loggers are named by area ("access", "server", "db", "security.csrf", ...). Field
// names on the central redaction list (password, secret, token, cookie, authorization,
// ...) are replaced by "[redacted]" before anything is written.
#include <boost/json/object.hpp>
#include <spdlog/common.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace bastion::log {

struct log_options {
  bool to_stdout = true;                           // JSON lines to stdout (LOG_TO_STDOUT); else stderr
  std::string file;                                // append to this file instead (benchmarks, tools)
  spdlog::level::level_enum level = spdlog::level::info;  // lowest level written
};

// Installs the sinks. Safe to call more than once (the last call wins).
void init(const log_options& options);

// True when `key` names a secret-bearing field or header (case-insensitive).
bool is_redacted_key(std::string_view key) noexcept;

// Writes one structured line. Fields on the redaction list are masked.
void event(spdlog::level::level_enum level, std::string_view logger, std::string_view event,
           boost::json::object fields = {});

inline void info(std::string_view logger, std::string_view ev, boost::json::object f = {}) {
  event(spdlog::level::info, logger, ev, std::move(f));
}
inline void warn(std::string_view logger, std::string_view ev, boost::json::object f = {}) {
  event(spdlog::level::warn, logger, ev, std::move(f));
}
inline void error(std::string_view logger, std::string_view ev, boost::json::object f = {}) {
  event(spdlog::level::err, logger, ev, std::move(f));
}

// One access-log line per request, on the hot path: written without building a JSON
// object or allocating (the values are escaped by Boost.JSON's serializer).
struct access_record {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;   // decoded path, never the query (it may carry tokens)
  std::string_view route;  // the route pattern, "" when nothing matched
  unsigned status = 0;
  std::int64_t duration_us = 0;
  std::string_view client;
};
void access(const access_record& record);

// Lets through at most one line per `interval` for one call site; counts what it drops
// so the next line that passes can say how many were suppressed. Thread-safe.
class rate_limited {
 public:
  explicit rate_limited(std::chrono::steady_clock::duration interval) noexcept : interval_(interval) {}
  // Returns true when the caller may log now; `suppressed` gets the number dropped since.
  bool allow(std::uint64_t& suppressed) noexcept;

 private:
  std::chrono::steady_clock::duration interval_;
  std::atomic<std::int64_t> next_allowed_{0};
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace bastion::log
