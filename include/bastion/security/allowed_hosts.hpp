#pragma once
// Host header validation (Django's ALLOWED_HOSTS, from SERVER_NAME).
//
// Patterns: "example.com" (exactly), ".example.com" (it and every subdomain),
// "*.example.com" (subdomains only), "*" (any). Ports are ignored; comparison is
// case-insensitive and ignores one trailing dot. A request whose Host (after trusted
// proxy resolution) matches no pattern, or is not a syntactically valid host, gets 400.
// Probes (/health, /ready) are exempt by construction: load balancers and
// orchestrators call them by IP address.
#include <bastion/app/middleware.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

struct host_parts {
  std::string_view name;  // "example.com", "127.0.0.1", "[::1]"
  std::string_view port;  // "" or digits
};

// Splits and validates a Host value: a DNS name, an IPv4 address or a bracketed IPv6
// address, optionally ":port" (1-65535). Anything else (spaces, '@', '/', empty) fails.
std::optional<host_parts> parse_host(std::string_view host) noexcept;

class allowed_hosts {
 public:
  // Throws std::invalid_argument for a malformed pattern.
  explicit allowed_hosts(std::vector<std::string> patterns);
  // Any host allowed (no patterns, or "*").
  bool allows_any() const noexcept { return any_; }
  bool allows(std::string_view host) const noexcept;
  const std::vector<std::string>& patterns() const noexcept { return patterns_; }

 private:
  std::vector<std::string> patterns_;
  bool any_ = false;
};

// 400 for a disallowed Host. Without patterns it still refuses malformed Host values.
middleware allowed_hosts_layer(allowed_hosts hosts);

}  // namespace bastion
