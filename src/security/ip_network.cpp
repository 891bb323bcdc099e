#include <bastion/security/ip_network.hpp>

#include <boost/asio/ip/address.hpp>

#include <charconv>
#include <fmt/format.h>

namespace bastion {

namespace asio = boost::asio;

std::optional<ip_address> ip_address::parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  // Only hex digits, ':' and '.', checked on the text: asio reads a C string (it stops at
  // a NUL) and reads a zone index it cannot resolve as none ("::1%@x" parsed as "::1"). A
  // zone ("fe80::1%eth0") names an interface, not a peer, so it is refused as well.
  if (text.empty() || text.size() > 64 || text.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
    return std::nullopt;
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  ip_address out;
  if (addr.is_v4() || (addr.is_v6() && addr.to_v6().is_v4_mapped())) {
    const auto v4 = addr.is_v4() ? addr.to_v4() : asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    const auto b = v4.to_bytes();
    std::copy(b.begin(), b.end(), out.bytes.begin());
    out.v4 = true;
  } else {
    out.bytes = addr.to_v6().to_bytes();
    out.v4 = false;
  }
  return out;
}

std::string ip_address::to_string() const {
  if (v4) return asio::ip::address_v4({bytes[0], bytes[1], bytes[2], bytes[3]}).to_string();
  return asio::ip::address_v6(bytes).to_string();
}

std::optional<ip_network> ip_network::parse(std::string_view text, std::string* why) {
  auto fail = [&](std::string msg) -> std::optional<ip_network> {
    if (why) *why = std::move(msg);
    return std::nullopt;
  };
  const auto slash = text.find('/');
  auto addr = ip_address::parse(text.substr(0, slash));
  if (!addr) return fail(fmt::format("'{}' is not an IPv4 or IPv6 address", text.substr(0, slash)));
  const unsigned width = addr->v4 ? 32 : 128;
  unsigned prefix = width;
  if (slash != std::string_view::npos) {
    const auto p = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || prefix > width)
      return fail(fmt::format("'{}': the prefix length must be 0..{}", text, width));
  }
  for (unsigned bit = prefix; bit < width; ++bit)
    if (addr->bytes[bit / 8] & (0x80u >> (bit % 8)))
      return fail(fmt::format("'{}' has host bits set beyond /{}; write the network address", text, prefix));
  ip_network n;
  n.base_ = *addr;
  n.prefix_ = prefix;
  return n;
}

bool ip_network::contains(const ip_address& a) const noexcept {
  if (a.v4 != base_.v4) return false;
  unsigned bits = prefix_;
  for (std::size_t i = 0; bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const std::uint8_t mask = static_cast<std::uint8_t>(0xFFu << (8 - take));
    if ((a.bytes[i] & mask) != (base_.bytes[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

std::string ip_network::to_string() const { return fmt::format("{}/{}", base_.to_string(), prefix_); }

bool in_any(const std::vector<ip_network>& networks, const ip_address& address) noexcept {
  for (const auto& n : networks)
    if (n.contains(address)) return true;
  return false;
}

}  // namespace bastion
