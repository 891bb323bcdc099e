#include <bastion/security/allowed_hosts.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace bastion {
namespace {

TEST(HostHeader, ParsesNamesAddressesAndPorts) {
  struct row {
    const char* host;
    bool ok;
    const char* name;
    const char* port;
  };
  const row rows[] = {
      {"example.com", true, "example.com", ""},
      {"Example.COM:8443", true, "Example.COM", "8443"},
      {"127.0.0.1:80", true, "127.0.0.1", "80"},
      {"[::1]:8080", true, "[::1]", "8080"},
      {"[::1]", true, "[::1]", ""},
      {"example.com.", true, "example.com.", ""},
      {"", false, "", ""},
      {"example.com:0", false, "", ""},
      {"example.com:65536", false, "", ""},
      {"example.com:", false, "", ""},
      {"example.com:80:80", false, "", ""},
      {"evil.com/path", false, "", ""},
      {"user@evil.com", false, "", ""},
      {"a b", false, "", ""},
      {"[::1", false, "", ""},
      {"[::%]", false, "", ""},
      {"[::1%@evil.example]:443", false, "", ""},
      {"[127.0.0.1]", false, "", ""},
      {"exa..mple.com", false, "", ""},
      {".example.com", false, "", ""},
  };
  for (const auto& r : rows) {
    const auto p = parse_host(r.host);
    EXPECT_EQ(p.has_value(), r.ok) << r.host;
    if (p && r.ok) {
      EXPECT_EQ(p->name, r.name) << r.host;
      EXPECT_EQ(p->port, r.port) << r.host;
    }
  }
}

TEST(AllowedHosts, MatchesExactDomainAndWildcardPatterns) {
  const allowed_hosts hosts({"example.com", ".example.org", "*.example.net", "127.0.0.1"});
  struct row {
    const char* host;
    bool allowed;
  };
  const row rows[] = {
      {"example.com", true},
      {"EXAMPLE.com:8080", true},
      {"example.com.", true},
      {"www.example.com", false},
      {"example.org", true},
      {"a.b.example.org", true},
      {"badexample.org", false},
      {"example.net", false},
      {"api.example.net", true},
      {"127.0.0.1:8080", true},
      {"127.0.0.2", false},
      {"evil.com", false},
      {"example.com.evil.com", false},
      {"", false},
      {"example.com/x", false},
  };
  for (const auto& r : rows) EXPECT_EQ(hosts.allows(r.host), r.allowed) << r.host;
}

TEST(AllowedHosts, AnyHostWithoutPatternsButStillValidSyntax) {
  const allowed_hosts any({});
  EXPECT_TRUE(any.allows_any());
  EXPECT_TRUE(any.allows("whatever.example"));
  EXPECT_TRUE(any.allows(""));  // HTTP/1.0 without Host
  EXPECT_FALSE(any.allows("bad host"));
  EXPECT_TRUE(allowed_hosts({"*"}).allows_any());
}

TEST(AllowedHosts, RefusesMalformedPatterns) {
  for (const char* bad : {"example.com:8080", "http://example.com", "exa mple.com", "*", "*."}) {
    if (std::string_view(bad) == "*") continue;  // "*" is the explicit any
    EXPECT_THROW(allowed_hosts({bad}), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace bastion
