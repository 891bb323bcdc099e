#include <bastion/log/log.hpp>

#include <bastion/util/strings.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <ctime>
#include <iterator>
#include <mutex>

namespace bastion::log {
namespace {

// The central redaction list: a field whose name contains one of these is masked.
constexpr std::array<std::string_view, 11> redacted_fragments = {
    "password", "passwd", "secret", "token", "cookie", "authorization",
    "api_key", "apikey", "session", "csrf", "private_key"};

std::shared_ptr<spdlog::logger>& sink_logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("bastion", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    l->set_pattern("%v");
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return logger;
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf, n) + "." + std::to_string(1000 + ms).substr(1) + "Z";
}

// Appends `s` as a JSON string (quoted and escaped by Boost.JSON).
void append_json_string(std::string& out, std::string_view s) {
  thread_local boost::json::serializer sr;
  sr.reset(boost::json::string_view(s.data(), s.size()));
  char buf[256];
  while (!sr.done()) {
    const auto chunk = sr.read(buf);
    out.append(chunk.data(), chunk.size());
  }
}

// "2026-11-22T00:00:00.123Z", the seconds part formatted once per second per thread.
void append_timestamp(std::string& out) {
  thread_local std::time_t cached_second = -1;
  thread_local char cached[24];
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  if (t != cached_second) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_second = t;
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  fmt::format_to(std::back_inserter(out), "{}.{:03}Z", cached, ms);
}

}  // namespace

void init(const log_options& options) {
  std::shared_ptr<spdlog::logger> l;
  if (!options.file.empty())
    l = std::make_shared<spdlog::logger>("bastion", std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file));
  else if (options.to_stdout)
    l = std::make_shared<spdlog::logger>("bastion", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  else
    l = std::make_shared<spdlog::logger>("bastion", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  l->set_pattern("%v");
  l->set_level(options.level);
  // Lines are written whole by the sink; flushing on warnings and above keeps crashes
  // from eating the last error while info lines are batched by stdio.
  l->flush_on(spdlog::level::warn);
  // Info lines are buffered and flushed every second by spdlog's flusher thread, so a
  // busy server does not pay one write(2) per access log line.
  spdlog::drop("bastion");
  spdlog::register_logger(l);
  spdlog::flush_every(std::chrono::seconds(1));
  sink_logger() = l;
}

bool is_redacted_key(std::string_view key) noexcept {
  for (auto frag : redacted_fragments)
    if (icontains(key, frag)) return true;
  return false;
}

void event(spdlog::level::level_enum level, std::string_view logger, std::string_view ev,
           boost::json::object fields) {
  auto& l = sink_logger();
  if (!l->should_log(level)) return;
  boost::json::object line;
  line.reserve(fields.size() + 4);
  line["ts"] = timestamp();
  line["level"] = spdlog::level::to_string_view(level).data();
  line["logger"] = logger;
  line["event"] = ev;
  for (auto& [k, v] : fields) {
    if (is_redacted_key(k)) line[k] = "[redacted]";
    else line[k] = std::move(v);
  }
  l->log(level, "{}", boost::json::serialize(line));
}

void access(const access_record& r) {
  auto& l = sink_logger();
  if (!l->should_log(spdlog::level::info)) return;
  thread_local std::string line;
  line.clear();
  line += R"({"ts":")";
  append_timestamp(line);
  line += R"(","level":"info","logger":"access","event":"request","request_id":)";
  append_json_string(line, r.request_id);
  line += R"(,"method":)";
  append_json_string(line, r.method);
  line += R"(,"path":)";
  append_json_string(line, r.path);
  line += R"(,"route":)";
  append_json_string(line, r.route);
  fmt::format_to(std::back_inserter(line), R"(,"status":{},"duration_us":{},"client":)", r.status, r.duration_us);
  append_json_string(line, r.client);
  line += '}';
  l->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
}

bool rate_limited::allow(std::uint64_t& suppressed) noexcept {
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  auto next = next_allowed_.load(std::memory_order_relaxed);
  if (now >= next && next_allowed_.compare_exchange_strong(next, now + interval_.count())) {
    suppressed = dropped_.exchange(0);
    return true;
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

}  // namespace bastion::log
