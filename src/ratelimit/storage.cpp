#include <bastion/ratelimit/storage.hpp>

#include "ratelimit/memcached_storage.hpp"
#include "ratelimit/memory_storage.hpp"
#include "ratelimit/redis_storage.hpp"

#include <bastion/util/strings.hpp>

namespace bastion {
namespace {

constexpr std::pair<rate_strategy, std::string_view> strategy_names[] = {
    {rate_strategy::fixed_window, "fixed-window"},
    {rate_strategy::moving_window, "moving-window"},
    {rate_strategy::sliding_window_counter, "sliding-window-counter"},
    {rate_strategy::gcra, "gcra"},
};

class storage_category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "bastion.limit_storage"; }
  std::string message(int ev) const override {
    switch (static_cast<limit_storage_errc>(ev)) {
      case limit_storage_errc::unavailable: return "rate-limit storage unavailable";
      case limit_storage_errc::timeout: return "rate-limit storage timed out";
      case limit_storage_errc::protocol: return "rate-limit storage answered unexpectedly";
    }
    return "rate-limit storage error";
  }
};

}  // namespace

std::string_view to_string(rate_strategy s) noexcept {
  for (const auto& [v, n] : strategy_names)
    if (v == s) return n;
  return "fixed-window";
}

std::optional<rate_strategy> rate_strategy_from(std::string_view name) noexcept {
  for (const auto& [v, n] : strategy_names)
    if (iequals(n, name)) return v;
  return std::nullopt;
}

const boost::system::error_category& limit_storage_category() noexcept {
  static const storage_category c;
  return c;
}

boost::system::result<std::unique_ptr<limit_storage>> open_limit_storage(std::string_view uri,
                                                                         const limit_storage_options& options) {
  if (uri == "memory://" || uri == "memory") return detail::make_memory_storage(options.memory_max_keys);
  if (uri.starts_with("redis://")) {
    auto ep = detail::parse_redis_uri(uri);
    if (!ep) return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    return detail::make_redis_storage(ep->host, ep->port, ep->db, options, ep->username, ep->password);
  }
  if (uri.starts_with("memcached://")) {
    auto address = detail::parse_memcached_uri(uri);
    if (!address) return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    return detail::make_memcached_storage(address->host, address->port, options);
  }
  return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
}

}  // namespace bastion
