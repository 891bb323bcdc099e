// Host header validation (parse_host, allowed_hosts) and the address parsers behind it
// (ip_address, ip_network).
//
// The whole input is a Host value, an address and a network. Checked: an accepted host
// is a non-empty name plus an optional port of 1-5 digits in 1..65535, the two views
// cover exactly the input, and the input holds no space, '/', '@', '?', '#', '\', '%' or
// control byte; allowed_hosts with fixed patterns only allows accepted hosts whose name
// is (or, for the domain patterns, ends in) a pattern, ignoring case, and an
// allow-anything list allows exactly the accepted hosts. An accepted address prints in
// a form that parses back to the same address and prints the same; an accepted network
// likewise, contains its own base address, and a bare address is its own /32 or /128.
#include "fuzz_check.hpp"

#include <bastion/security/allowed_hosts.hpp>
#include <bastion/security/ip_network.hpp>
#include <bastion/util/strings.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>


namespace {

bool ends_with_label(std::string_view name, std::string_view domain) {
  return name.size() > domain.size() + 1 && name[name.size() - domain.size() - 1] == '.' &&
         bastion::iequals(name.substr(name.size() - domain.size()), domain);
}

void check_host(std::string_view in) {
  const auto parts = bastion::parse_host(in);
  if (!parts) return;
  FUZZ_CHECK(!parts->name.empty());
  FUZZ_CHECK(parts->name.data() == in.data());
  if (parts->port.empty()) {
    FUZZ_CHECK(parts->name.size() == in.size());
  } else {
    FUZZ_CHECK(parts->port.size() <= 5 && parts->name.size() + 1 + parts->port.size() == in.size());
    FUZZ_CHECK(in[parts->name.size()] == ':' && parts->port.data() == in.data() + parts->name.size() + 1);
    unsigned port = 0;
    for (char c : parts->port) {
      FUZZ_CHECK(c >= '0' && c <= '9');
      port = port * 10 + unsigned(c - '0');
    }
    FUZZ_CHECK(port >= 1 && port <= 65535);
  }
  for (unsigned char c : in) {
    FUZZ_CHECK(c > 0x20 && c < 0x7f);
    FUZZ_CHECK(std::string_view(" /@?#\\%").find(static_cast<char>(c)) == std::string_view::npos);
  }
}

void check_allowed(std::string_view in) {
  static const bastion::allowed_hosts hosts({"example.com", ".example.org", "*.example.net", "127.0.0.1", "[::1]"});
  static const bastion::allowed_hosts any({"*"});
  static const bastion::allowed_hosts none({});
  const auto parts = bastion::parse_host(in);
  FUZZ_CHECK(any.allows(in) == (in.empty() || parts.has_value()));
  FUZZ_CHECK(none.allows(in) == any.allows(in));
  if (!hosts.allows(in)) return;
  FUZZ_CHECK(parts.has_value());
  auto name = parts->name;
  if (name.ends_with('.')) name.remove_suffix(1);
  FUZZ_CHECK(bastion::iequals(name, "example.com") || bastion::iequals(name, "example.org") ||
             ends_with_label(name, "example.org") || ends_with_label(name, "example.net") || name == "127.0.0.1" ||
             name == "[::1]");
  FUZZ_CHECK(hosts.allows(bastion::to_lower(in)));
}

void check_address(std::string_view in) {
  const auto a = bastion::ip_address::parse(in);
  if (!a) return;
  const auto text = a->to_string();
  const auto again = bastion::ip_address::parse(text);
  FUZZ_CHECK(again && *again == *a && again->to_string() == text);
  if (a->v4) FUZZ_CHECK(a->bytes[4] == 0 && a->bytes[15] == 0);
  if (in.find('/') == std::string_view::npos) {
    const auto n = bastion::ip_network::parse(in);
    FUZZ_CHECK(n && n->contains(*a) && n->to_string() == text + (a->v4 ? "/32" : "/128"));
  }
}

void check_network(std::string_view in) {
  std::string why;
  const auto n = bastion::ip_network::parse(in, &why);
  if (!n) {
    FUZZ_CHECK(!why.empty());
    return;
  }
  const auto text = n->to_string();
  const auto again = bastion::ip_network::parse(text);
  FUZZ_CHECK(again && again->to_string() == text);
  const auto slash = text.find('/');
  FUZZ_CHECK(slash != std::string::npos);
  const auto base = bastion::ip_address::parse(std::string_view(text).substr(0, slash));
  FUZZ_CHECK(base && n->contains(*base) && again->contains(*base));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_host(input);
  check_allowed(input);
  check_address(input);
  check_network(input);
  return 0;
}
