#include <bastion/security/proxy_headers.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace bastion {
namespace {

using headers = std::vector<std::pair<std::string, std::string>>;

proxy_options trusting(std::vector<std::string> cidrs, unsigned x_for = 1) {
  proxy_options o;
  for (const auto& c : cidrs) o.trusted.push_back(*ip_network::parse(c));
  o.x_for = x_for;
  return o;
}

proxy_resolution resolve(const proxy_options& o, std::string_view peer, const headers& h) {
  request req;
  req.set_peer(peer, false);
  EXPECT_TRUE(req.set_start_line(http::verb::get, "GET", "/", 11));
  for (const auto& [n, v] : h) req.add_header(n, v);
  return resolve_proxy_headers(o, req);
}

TEST(ProxyHeaders, ResolvesTheClientAddressRightToLeft) {
  struct row {
    const char* name;
    proxy_options options;
    const char* peer;
    headers sent;
    const char* client;
  };
  const auto lb = trusting({"10.0.0.0/8"});
  const auto two = trusting({"10.0.0.0/8"}, 2);
  const auto v6 = trusting({"fd00::/8"});
  const row rows[] = {
      {"NoProxyTrustedIgnoresHeaders", proxy_options{}, "198.51.100.7", {{"X-Forwarded-For", "1.2.3.4"}}, "198.51.100.7"},
      {"UntrustedPeerIgnored", lb, "198.51.100.7", {{"X-Forwarded-For", "1.2.3.4"}}, "198.51.100.7"},
      {"TrustedPeerOneHop", lb, "10.0.0.2", {{"X-Forwarded-For", "203.0.113.9"}}, "203.0.113.9"},
      {"SpoofedLeftEntryNotBelieved", lb, "10.0.0.2", {{"X-Forwarded-For", "6.6.6.6, 203.0.113.9"}}, "203.0.113.9"},
      {"ChainLongerThanHopCount", two, "10.0.0.2", {{"X-Forwarded-For", "6.6.6.6, 203.0.113.9, 10.0.0.3"}}, "203.0.113.9"},
      {"SecondHopUntrustedStopsWalk", two, "10.0.0.2", {{"X-Forwarded-For", "6.6.6.6, 203.0.113.9"}}, "203.0.113.9"},
      {"SpoofedTrustedLookingEntryStopsAtHopCount", lb, "10.0.0.2", {{"X-Forwarded-For", "10.9.9.9"}}, "10.9.9.9"},
      {"SeveralHeaderLinesJoinInOrder", two, "10.0.0.2",
       {{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "203.0.113.9, 10.0.0.3"}}, "203.0.113.9"},
      {"MalformedEntryKeepsPeer", lb, "10.0.0.2", {{"X-Forwarded-For", "not-an-ip"}}, "10.0.0.2"},
      {"EmptyHeaderKeepsPeer", lb, "10.0.0.2", {{"X-Forwarded-For", ""}}, "10.0.0.2"},
      {"EntryWithPortAccepted", lb, "10.0.0.2", {{"X-Forwarded-For", "203.0.113.9:4711"}}, "203.0.113.9"},
      {"Ipv6ProxyAndClient", v6, "fd00::5", {{"X-Forwarded-For", "2001:db8::1"}}, "2001:db8::1"},
      {"BracketedIpv6Client", v6, "fd00::5", {{"X-Forwarded-For", "[2001:db8::1]:443"}}, "2001:db8::1"},
      {"Ipv4MappedPeerMatchesIpv4Range", lb, "::ffff:10.0.0.2", {{"X-Forwarded-For", "203.0.113.9"}}, "203.0.113.9"},
      {"NoHeaderFromTrustedPeer", lb, "10.0.0.2", {}, "10.0.0.2"},
  };
  for (const auto& r : rows) {
    const auto res = resolve(r.options, r.peer, r.sent);
    EXPECT_EQ(res.client, r.client) << r.name;
  }
}

TEST(ProxyHeaders, ReadsRfc7239ForwardedWhenEnabled) {
  auto o = trusting({"10.0.0.0/8"});
  o.forwarded = true;
  o.x_host = 1;
  struct row {
    const char* name;
    const char* value;
    const char* client;
    std::optional<bool> secure;
    std::optional<std::string> host;
    bool malformed;
  };
  const row rows[] = {
      {"Simple", "for=203.0.113.9;proto=https;host=example.com", "203.0.113.9", true, "example.com", false},
      {"QuotedIpv6WithPort", "for=\"[2001:db8::1]:4711\";proto=http", "2001:db8::1", false, std::nullopt, false},
      {"RightmostElementWins", "for=6.6.6.6;proto=http, for=203.0.113.9;proto=https", "203.0.113.9", true, std::nullopt, false},
      {"CaseInsensitiveKeys", "For=203.0.113.9;Proto=https", "203.0.113.9", true, std::nullopt, false},
      {"ObfuscatedIdentifierKeepsPeer", "for=_hidden", "10.0.0.2", std::nullopt, std::nullopt, true},
      {"UnterminatedQuote", "for=\"[2001:db8::1]", "10.0.0.2", std::nullopt, std::nullopt, true},
      {"MissingEquals", "for", "10.0.0.2", std::nullopt, std::nullopt, true},
  };
  for (const auto& r : rows) {
    const auto res = resolve(o, "10.0.0.2", {{"Forwarded", r.value}, {"X-Forwarded-For", "9.9.9.9"}});
    EXPECT_EQ(res.client, r.client) << r.name;
    EXPECT_EQ(res.secure, r.secure) << r.name;
    EXPECT_EQ(res.host, r.host) << r.name;
    EXPECT_EQ(!res.malformed.empty(), r.malformed) << r.name;
  }
}

TEST(ProxyHeaders, TakesSchemeHostPortAndPrefixOnlyWithinTheirHopCounts) {
  auto o = trusting({"10.0.0.0/8"});
  o.x_host = 1;
  o.x_port = 1;
  o.x_prefix = 1;
  auto r = resolve(o, "10.0.0.2",
                   {{"Host", "internal:8080"}, {"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "app.example.com"},
                    {"X-Forwarded-Port", "8443"}, {"X-Forwarded-Prefix", "/shop/"}});
  EXPECT_EQ(r.secure, true);
  EXPECT_EQ(r.host, "app.example.com:8443");
  EXPECT_EQ(r.prefix, "/shop");

  // x_host defaults to 0: a forwarded host is not believed unless asked for.
  r = resolve(trusting({"10.0.0.0/8"}), "10.0.0.2", {{"X-Forwarded-Host", "evil.example"}});
  EXPECT_FALSE(r.host);
  // Two proto values with one trusted hop: the rightmost (written by our proxy) counts.
  r = resolve(trusting({"10.0.0.0/8"}), "10.0.0.2", {{"X-Forwarded-Proto", "http, https"}});
  EXPECT_EQ(r.secure, true);
  r = resolve(trusting({"10.0.0.0/8"}), "10.0.0.2", {{"X-Forwarded-Proto", "https, http"}});
  EXPECT_EQ(r.secure, false);
  // Untrusted peers never set the scheme.
  r = resolve(trusting({"10.0.0.0/8"}), "198.51.100.7", {{"X-Forwarded-Proto", "https"}});
  EXPECT_FALSE(r.secure);
  EXPECT_EQ(r.ignored, "X-Forwarded-Proto");
}

TEST(ProxyHeaders, RefusesMalformedForwardedValues) {
  auto o = trusting({"10.0.0.0/8"});
  o.x_host = 1;
  o.x_port = 1;
  o.x_prefix = 1;
  struct row {
    const char* header;
    const char* value;
  };
  const row rows[] = {
      {"X-Forwarded-Proto", "javascript"},
      {"X-Forwarded-Host", "evil.example/path"},
      {"X-Forwarded-Host", "a b"},
      {"X-Forwarded-Port", "99999"},
      {"X-Forwarded-Port", "80x"},
      {"X-Forwarded-Prefix", "//evil.example"},
      {"X-Forwarded-Prefix", "no-slash"},
  };
  for (const auto& r : rows) {
    const auto res = resolve(o, "10.0.0.2", {{"Host", "app.example.com"}, {r.header, r.value}});
    EXPECT_EQ(res.malformed, r.header) << r.value;
    EXPECT_FALSE(res.secure) << r.value;
    EXPECT_FALSE(res.prefix) << r.value;
    EXPECT_FALSE(res.host) << r.value;
  }
}

TEST(ProxyHeadersLayer, RewritesTheRequestAndKeepsTheOriginals) {
  auto layer = proxy_headers_layer(trusting({"10.0.0.0/8"}));
  request req;
  req.set_peer("10.0.0.2", false);
  ASSERT_TRUE(req.set_start_line(http::verb::get, "GET", "/", 11));
  req.add_header("Host", "app.example.com");
  req.add_header("X-Forwarded-For", "203.0.113.9");
  req.add_header("X-Forwarded-Proto", "https");
  response res;
  handler endpoint = [](request& r, response& out) { out.text(std::string(r.client_address()) + " " + std::string(r.scheme())); };
  pipeline p{{&layer}, &endpoint, [](request&, response&, std::exception_ptr) {}};
  next_fn(p, 0)(req, res);
  EXPECT_EQ(res.body(), "203.0.113.9 https");
  const auto* original = req.get<proxy_original>();
  ASSERT_NE(original, nullptr);
  EXPECT_EQ(original->peer, "10.0.0.2");
  EXPECT_FALSE(original->secure);
  EXPECT_EQ(req.peer_address(), "10.0.0.2");

  // The next request on the same connection starts from the connection's facts again.
  req.reset();
  EXPECT_EQ(req.client_address(), "10.0.0.2");
  EXPECT_FALSE(req.is_secure());
}

}  // namespace
}  // namespace bastion
