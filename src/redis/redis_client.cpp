#include "redis/redis_client.hpp"

#include <algorithm>

namespace bastion::detail {
namespace {

class redis_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "bastion.redis"; }
  std::string message(int ev) const override {
    switch (static_cast<redis_errc>(ev)) {
      case redis_errc::unavailable: return "redis unavailable";
      case redis_errc::timeout: return "redis timed out";
      case redis_errc::protocol: return "redis answered unexpectedly";
    }
    return "redis error";
  }
};

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned v = 0;
    if (i + 2 >= s.size()) return std::nullopt;
    const auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (ec != std::errc{} || end != s.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}


}  // namespace

std::optional<redis_endpoint> parse_redis_uri(std::string_view uri) {
  constexpr std::string_view scheme = "redis://";
  if (!uri.starts_with(scheme)) return std::nullopt;
  auto rest = uri.substr(scheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) return std::nullopt;
  redis_endpoint ep;
  // The user information ends at the last '@' (host and path have none).
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto user = percent_decode(userinfo.substr(0, colon));
    auto password = percent_decode(userinfo.substr(colon + 1));
    if (!user || !password) return std::nullopt;
    ep.username = std::move(*user);
    ep.password = std::move(*password);
  }
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  const auto path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto v6 = authority.substr(1, close - 1);
    if (v6.empty() || !std::all_of(v6.begin(), v6.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
        }))
      return std::nullopt;
    ep.host = std::string(v6);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      port_text = after.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
  } else {
    const auto colon = authority.find(':');
    const auto host = authority.substr(0, colon);
    if (host.empty() || !std::all_of(host.begin(), host.end(), host_char)) return std::nullopt;
    ep.host = std::string(host);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return std::nullopt;
    }
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    if (!all_digits(port_text) || port_text.size() > 5) return std::nullopt;
    std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port == 0 || port > 65535) return std::nullopt;
    ep.port = static_cast<std::uint16_t>(port);
  }
  if (path.size() > 1) {
    const auto db = path.substr(1);
    if (!all_digits(db) || db.size() > 9) return std::nullopt;
    std::from_chars(db.data(), db.data() + db.size(), ep.db);
  }
  return ep;
}

const boost::system::error_category& redis_category() noexcept {
  static const redis_category_impl instance;
  return instance;
}

}  // namespace bastion::detail
