#pragma once
// An IP network in CIDR notation ("10.0.0.0/8", "2001:db8::/32", or a single address),
// IPv4 and IPv6. IPv4-mapped IPv6 addresses ("::ffff:10.1.2.3") match IPv4 networks, so a
// dual-stack listener sees the same trust decisions as an IPv4 one.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

// An address in a form that compares byte-wise: IPv4 as 4 bytes, IPv6 as 16.
struct ip_address {
  std::array<std::uint8_t, 16> bytes{};
  bool v4 = true;

  // Parses "192.0.2.1", "2001:db8::1", "[2001:db8::1]"; IPv4-mapped IPv6 becomes IPv4.
  static std::optional<ip_address> parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const ip_address&) const = default;
};

class ip_network {
 public:
  // Parses "addr/prefix" or a bare address (a /32 or /128). Host bits beyond the prefix
  // are refused ("10.0.0.1/8" is a typo for a host or a network: say which).
  static std::optional<ip_network> parse(std::string_view text, std::string* why = nullptr);
  bool contains(const ip_address& a) const noexcept;
  std::string to_string() const;

 private:
  ip_address base_;
  unsigned prefix_ = 0;
};

// True when `address` is in any of `networks`.
bool in_any(const std::vector<ip_network>& networks, const ip_address& address) noexcept;

}  // namespace bastion
