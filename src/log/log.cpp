#include <bastion/log/log.hpp>

#include <bastion/util/strings.hpp>

#include <boost/json/serialize.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <ctime>
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

}  // namespace

void init(const log_options& options) {
  std::shared_ptr<spdlog::logger> l;
  if (options.to_stdout)
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
