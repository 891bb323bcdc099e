// Trusted-proxy resolution: resolve_proxy_headers and proxy_headers_layer.
//
// Input: two option bytes, then header values one per line ('\n'). Byte 0: bits 0-2 pick
// the TCP peer (trusted IPv4, IPv4-mapped and IPv6 addresses, untrusted ones, an empty
// and a non-address peer), bits 3-4 `x_for` (0..3), bit 5 `forwarded`, bit 6 lower-case
// header names, bit 7 a TLS peer. Byte 1: `x_proto`, `x_host`, `x_port`, `x_prefix`, two
// bits each. Line i becomes a header named after i mod 7: Forwarded, X-Forwarded-For,
// -Proto, -Host, -Port, -Prefix, Host (so later lines repeat a header). Trusted proxies:
// 10.0.0.0/8 and fd00::/8.
//
// Checked: the client is the peer or a canonical address; an untrusted peer changes
// nothing and names the first forwarding header it ignored; each fact is only taken with
// a non-zero hop count; a resolved host passes parse_host and a prefix is a '/'-rooted
// path without "//" at the start, '?', '#', '\' or control bytes; the headers of the
// other mode (X-Forwarded-* with `forwarded`, Forwarded without) change nothing; and the
// layer, run in a one-layer pipeline, leaves the request reporting exactly the resolution
// (client address, scheme, host, script root), keeps the originals only when something
// changed, and reset() restores the connection's facts.
#include "fuzz_check.hpp"

#include <bastion/http/response.hpp>
#include <bastion/security/allowed_hosts.hpp>
#include <bastion/security/proxy_headers.hpp>
#include <bastion/util/strings.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>


namespace {

namespace http = boost::beast::http;

constexpr const char* peers[] = {
    "10.0.0.2", "::ffff:10.1.2.3", "fd00::5", "10.255.255.254", "198.51.100.7", "2001:db8::1", "", "not-an-ip",
};
constexpr std::string_view names[] = {
    "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port",
    "X-Forwarded-Prefix", "Host",
};

const std::vector<bastion::ip_network>& trusted() {
  static const std::vector<bastion::ip_network> nets{*bastion::ip_network::parse("10.0.0.0/8"),
                                                     *bastion::ip_network::parse("fd00::/8")};
  return nets;
}

using header_list = std::vector<std::pair<std::string, std::string>>;

bool is_forwarding(std::string_view name) {
  return (name.size() > 12 && bastion::iequals(name.substr(0, 12), "x-forwarded-")) ||
         bastion::iequals(name, "forwarded");
}

void fill(bastion::request& req, std::string_view peer, bool secure, const header_list& headers) {
  req.set_peer(peer, secure);
  FUZZ_CHECK(req.set_start_line(http::verb::get, "GET", "/", 11));
  for (const auto& [n, v] : headers) req.add_header(n, v);
}

void check_prefix(std::string_view p) {
  FUZZ_CHECK(p.starts_with('/') && !p.starts_with("//") && p.size() <= 256);
  FUZZ_CHECK(p.size() == 1 || !p.ends_with('/'));
  for (unsigned char c : p) FUZZ_CHECK(c > 0x20 && c != 0x7f && c != '\\' && c != '?' && c != '#');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0], hops = data[1];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);

  bastion::proxy_options o;
  o.trusted = trusted();
  o.x_for = (flags >> 3) & 3;
  o.forwarded = flags & 0x20;
  o.x_proto = hops & 3;
  o.x_host = (hops >> 2) & 3;
  o.x_port = (hops >> 4) & 3;
  o.x_prefix = (hops >> 6) & 3;
  const std::string_view peer = peers[flags & 7];
  const bool lower = flags & 0x40;
  const bool peer_secure = flags & 0x80;

  header_list headers;
  for (std::size_t i = 0; !rest.empty() && i < 64; ++i) {
    const auto nl = rest.find('\n');
    const auto value = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    const auto name = names[i % std::size(names)];
    headers.emplace_back(lower ? bastion::to_lower(name) : std::string(name), std::string(value));
  }

  bastion::request req;
  fill(req, peer, peer_secure, headers);
  const auto r = bastion::resolve_proxy_headers(o, req);

  // The client is the peer or an address in canonical form.
  if (r.client != peer) {
    const auto a = bastion::ip_address::parse(r.client);
    FUZZ_CHECK(a && a->to_string() == r.client);
    FUZZ_CHECK(o.x_for > 0);
  }

  const auto peer_address = bastion::ip_address::parse(peer);
  const bool peer_trusted = peer_address && bastion::in_any(o.trusted, *peer_address);
  if (!peer_trusted) {
    FUZZ_CHECK(r.client == peer && !r.secure && !r.host && !r.prefix && r.malformed.empty());
    std::string first;
    for (const auto& h : headers)
      if (is_forwarding(h.first)) {
        first = h.first;
        break;
      }
    FUZZ_CHECK(r.ignored == first);
  } else {
    FUZZ_CHECK(r.ignored.empty());
  }

  if (r.secure) FUZZ_CHECK(o.x_proto > 0);
  if (r.host) {
    FUZZ_CHECK(o.x_host > 0 || o.x_port > 0);
    FUZZ_CHECK(bastion::parse_host(*r.host).has_value());
  }
  if (r.prefix) {
    FUZZ_CHECK(o.x_prefix > 0 && !o.forwarded);
    check_prefix(*r.prefix);
  }
  if (!r.malformed.empty()) {
    FUZZ_CHECK(peer_trusted);
    if (o.forwarded) FUZZ_CHECK(r.malformed == "Forwarded");
    else
      FUZZ_CHECK(r.malformed == "X-Forwarded-For" || r.malformed == "X-Forwarded-Proto" ||
                 r.malformed == "X-Forwarded-Host" || r.malformed == "X-Forwarded-Port" ||
                 r.malformed == "X-Forwarded-Prefix");
  }

  // Only the headers of the configured mode (and Host) count.
  if (peer_trusted) {
    header_list kept;
    for (const auto& h : headers) {
      const bool fwd = bastion::iequals(h.first, "forwarded");
      const bool xf = is_forwarding(h.first) && !fwd;
      if (o.forwarded ? !xf : !fwd) kept.push_back(h);
    }
    bastion::request other;
    fill(other, peer, peer_secure, kept);
    const auto r2 = bastion::resolve_proxy_headers(o, other);
    FUZZ_CHECK(r2.client == r.client && r2.secure == r.secure && r2.host == r.host && r2.prefix == r.prefix &&
               r2.malformed == r.malformed);
  }

  // The layer applies exactly the resolution.
  const auto layer = bastion::proxy_headers_layer(o);
  bool reached = false, failed = false;
  bastion::handler endpoint = [&](bastion::request& q, bastion::response&) {
    reached = true;
    FUZZ_CHECK(q.client_address() == r.client);
    FUZZ_CHECK(q.peer_address() == peer && q.peer_is_secure() == peer_secure);
    FUZZ_CHECK(q.scheme() == ((r.secure ? *r.secure : peer_secure) ? "https" : "http"));
    FUZZ_CHECK(q.host() == (r.host ? std::string_view(*r.host) : q.header("host")));
    FUZZ_CHECK(q.script_root() == (r.prefix ? std::string_view(*r.prefix) : std::string_view{}));
    const bool changed = r.client != peer || r.secure || r.host || r.prefix;
    const auto* original = q.get<bastion::proxy_original>();
    FUZZ_CHECK((original != nullptr) == changed);
    if (original)
      FUZZ_CHECK(original->peer == peer && original->secure == peer_secure && original->host == q.header("host"));
  };
  bastion::pipeline p{{&layer}, &endpoint,
                      [&](bastion::request&, bastion::response&, std::exception_ptr) { failed = true; }};
  bastion::response res;
  bastion::next_fn(p, 0)(req, res);
  FUZZ_CHECK(reached && !failed);

  req.reset();
  FUZZ_CHECK(req.client_address() == peer && req.is_secure() == peer_secure && req.script_root().empty() &&
             req.get<bastion::proxy_original>() == nullptr);
  return 0;
}
