#include <bastion/security/ip_network.hpp>

#include <gtest/gtest.h>

namespace bastion {
namespace {

TEST(IpNetwork, ParsesCidrsAndRefusesTypos) {
  struct row {
    const char* text;
    bool ok;
    const char* normalised;
  };
  const row rows[] = {
      {"10.0.0.0/8", true, "10.0.0.0/8"},
      {"192.168.1.7", true, "192.168.1.7/32"},
      {"2001:db8::/32", true, "2001:db8::/32"},
      {"::1", true, "::1/128"},
      {"0.0.0.0/0", true, "0.0.0.0/0"},
      {"::ffff:10.0.0.0/8", true, "10.0.0.0/8"},  // IPv4-mapped is IPv4
      {"10.0.0.1/8", false, ""},                  // host bits set
      {"10.0.0.0/33", false, ""},
      {"2001:db8::/129", false, ""},
      {"10.0.0.0/", false, ""},
      {"10.0.0.0/-1", false, ""},
      {"10.0.0.0/8x", false, ""},
      {"localhost", false, ""},
      {"", false, ""},
      {"fe80::1%eth0", false, ""},
      {"fd00::%x/8", false, ""},                  // a zone naming no interface
      {"::1%@evil.example", false, ""},
  };
  for (const auto& r : rows) {
    std::string why;
    const auto n = ip_network::parse(r.text, &why);
    EXPECT_EQ(n.has_value(), r.ok) << r.text;
    if (n) { EXPECT_EQ(n->to_string(), r.normalised) << r.text; }
    else EXPECT_FALSE(why.empty()) << r.text;
  }
}

TEST(IpNetwork, ContainsAddressesInsideThePrefixOnly) {
  struct row {
    const char* network;
    const char* address;
    bool inside;
  };
  const row rows[] = {
      {"10.0.0.0/8", "10.255.1.2", true},
      {"10.0.0.0/8", "11.0.0.1", false},
      {"172.16.0.0/12", "172.31.255.255", true},
      {"172.16.0.0/12", "172.32.0.0", false},
      {"192.168.1.128/25", "192.168.1.200", true},
      {"192.168.1.128/25", "192.168.1.127", false},
      {"127.0.0.1", "127.0.0.1", true},
      {"127.0.0.1", "127.0.0.2", false},
      {"0.0.0.0/0", "8.8.8.8", true},
      {"0.0.0.0/0", "2001:db8::1", false},  // families never mix
      {"10.0.0.0/8", "::ffff:10.1.2.3", true},
      {"2001:db8::/32", "2001:db8:ffff::1", true},
      {"2001:db8::/32", "2001:db9::1", false},
      {"2001:db8:0:1::/64", "2001:db8:0:1:abcd::1", true},
      {"::1", "::1", true},
      {"::/0", "127.0.0.1", false},
  };
  for (const auto& r : rows) {
    const auto n = ip_network::parse(r.network);
    const auto a = ip_address::parse(r.address);
    ASSERT_TRUE(n && a) << r.network << " " << r.address;
    EXPECT_EQ(n->contains(*a), r.inside) << r.network << " " << r.address;
  }
}

TEST(IpAddress, ParsesBracketedIpv6AndPrintsCanonically) {
  EXPECT_EQ(ip_address::parse("[2001:DB8::1]")->to_string(), "2001:db8::1");
  EXPECT_EQ(ip_address::parse("::ffff:192.0.2.1")->to_string(), "192.0.2.1");
  EXPECT_FALSE(ip_address::parse("192.0.2.1:80"));
  EXPECT_FALSE(ip_address::parse("999.1.1.1"));
  EXPECT_FALSE(ip_address::parse(std::string(100, '1')));
  EXPECT_FALSE(ip_address::parse(std::string_view("[::\0]", 5)));  // asio stopped at the NUL
  EXPECT_FALSE(ip_address::parse(std::string_view("192.0.2.1\0.9", 12)));
}

}  // namespace
}  // namespace bastion
