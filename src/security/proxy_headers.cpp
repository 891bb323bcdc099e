#include <bastion/security/proxy_headers.hpp>

#include <bastion/log/log.hpp>
#include <bastion/security/allowed_hosts.hpp>
#include <bastion/util/strings.hpp>

#include <charconv>

namespace bastion {
namespace {

// Every value of a comma-separated header, over all its lines, in order.
std::vector<std::string_view> list_values(const request& req, std::string_view name) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < req.header_count(); ++i) {
    const auto h = req.header_at(i);
    if (!iequals(h.name, name)) continue;
    for (auto part : split_list(h.value, ',')) out.push_back(trim_ows(part));
  }
  return out;
}

// RFC 7239 element parameter: token or quoted-string (with \-escapes dropped).
struct forwarded_element {
  std::string for_, proto, host;
};

bool parse_forwarded(const request& req, std::vector<forwarded_element>& out) {
  for (std::size_t i = 0; i < req.header_count(); ++i) {
    const auto h = req.header_at(i);
    if (!iequals(h.name, "forwarded")) continue;
    const auto v = h.value;
    std::size_t pos = 0;
    forwarded_element current;
    bool any = false;
    while (pos <= v.size()) {
      while (pos < v.size() && (v[pos] == ' ' || v[pos] == '\t')) ++pos;
      const auto eq = v.find('=', pos);
      if (eq == std::string_view::npos) return false;
      const auto key = trim_ows(v.substr(pos, eq - pos));
      pos = eq + 1;
      std::string value;
      if (pos < v.size() && v[pos] == '"') {
        ++pos;
        bool closed = false;
        while (pos < v.size()) {
          const char c = v[pos++];
          if (c == '\\' && pos < v.size()) value += v[pos++];
          else if (c == '"') {
            closed = true;
            break;
          } else value += c;
        }
        if (!closed) return false;
      } else {
        const auto end = v.find_first_of(";, \t", pos);
        value.assign(v.substr(pos, end == std::string_view::npos ? v.size() - pos : end - pos));
        pos = end == std::string_view::npos ? v.size() : end;
      }
      if (key.empty() || value.empty()) return false;
      if (iequals(key, "for")) current.for_ = std::move(value);
      else if (iequals(key, "proto")) current.proto = std::move(value);
      else if (iequals(key, "host")) current.host = std::move(value);
      any = true;
      while (pos < v.size() && (v[pos] == ' ' || v[pos] == '\t')) ++pos;
      if (pos >= v.size()) break;
      if (v[pos] == ';') {
        ++pos;
        continue;
      }
      if (v[pos] != ',') return false;
      ++pos;
      out.push_back(std::move(current));
      current = {};
      any = false;
    }
    if (any) out.push_back(std::move(current));
  }
  return true;
}

// An address from X-Forwarded-For or Forwarded for=: "192.0.2.1", "192.0.2.1:443",
// "[2001:db8::1]", "[2001:db8::1]:443", "2001:db8::1".
std::optional<ip_address> forwarded_address(std::string_view s) {
  if (auto a = ip_address::parse(s)) return a;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close != std::string_view::npos) return ip_address::parse(s.substr(0, close + 1));
    return std::nullopt;
  }
  const auto colon = s.find(':');
  if (colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos)
    return ip_address::parse(s.substr(0, colon));
  return std::nullopt;
}

// ProxyFix's rule for single-valued facts: the value `hops` from the right, when there
// are at least that many.
template <class List>
std::optional<std::string_view> nth_from_right(const List& values, unsigned hops) {
  if (hops == 0 || values.size() < hops) return std::nullopt;
  std::string_view v = values[values.size() - hops];
  if (v.empty()) return std::nullopt;  // that hop did not say
  return v;
}

bool valid_prefix(std::string_view p) noexcept {
  if (p.empty() || p.front() != '/' || p.starts_with("//") || p.size() > 256) return false;
  for (char c : p)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '\\' || c == '?' || c == '#') return false;
  return true;
}

bool has_forwarding_header(const request& req, std::string& which) {
  for (std::size_t i = 0; i < req.header_count(); ++i) {
    const auto n = req.header_at(i).name;
    if ((n.size() > 12 && iequals(n.substr(0, 12), "x-forwarded-")) || iequals(n, "forwarded")) {
      which.assign(n);
      return true;
    }
  }
  return false;
}

}  // namespace

proxy_resolution resolve_proxy_headers(const proxy_options& o, const request& req) {
  proxy_resolution r;
  r.client.assign(req.peer_address());
  const auto peer = ip_address::parse(req.peer_address());
  if (!peer || !in_any(o.trusted, *peer)) {
    has_forwarding_header(req, r.ignored);
    return r;
  }

  std::vector<std::string_view> fors, protos, hosts, ports, prefixes;
  std::vector<forwarded_element> elements;  // owns the Forwarded values the views point into
  if (o.forwarded) {
    if (!parse_forwarded(req, elements)) {
      r.malformed = "Forwarded";
      return r;
    }
    for (auto& e : elements) {
      fors.push_back(e.for_);
      protos.push_back(e.proto);
      hosts.push_back(e.host);
    }
  } else {
    fors = list_values(req, "x-forwarded-for");
    protos = list_values(req, "x-forwarded-proto");
    hosts = list_values(req, "x-forwarded-host");
    ports = list_values(req, "x-forwarded-port");
    prefixes = list_values(req, "x-forwarded-prefix");
  }

  // Right-to-left: believe an entry only while the hop that appended it is trusted.
  ip_address current = *peer;
  for (unsigned hop = 0; hop < o.x_for && !fors.empty(); ++hop) {
    if (!in_any(o.trusted, current)) break;
    const auto entry = forwarded_address(fors.back());
    fors.pop_back();
    if (!entry) {
      r.malformed = o.forwarded ? "Forwarded" : "X-Forwarded-For";
      break;
    }
    current = *entry;
    r.client = current.to_string();
  }

  if (auto proto = nth_from_right(protos, o.x_proto)) {
    if (iequals(*proto, "https")) r.secure = true;
    else if (iequals(*proto, "http")) r.secure = false;
    else r.malformed = o.forwarded ? "Forwarded" : "X-Forwarded-Proto";
  }
  std::string host;
  if (auto h = nth_from_right(hosts, o.x_host)) {
    if (parse_host(*h)) host.assign(*h);
    else r.malformed = o.forwarded ? "Forwarded" : "X-Forwarded-Host";
  }
  if (auto p = nth_from_right(ports, o.x_port)) {
    const auto base = host.empty() ? req.header("host") : std::string_view(host);
    auto parts = parse_host(base);
    std::string candidate = parts ? std::string(parts->name) + ":" + std::string(*p) : std::string();
    if (parts && parse_host(candidate) && !parse_host(candidate)->port.empty()) host = std::move(candidate);
    else r.malformed = "X-Forwarded-Port";
  }
  if (!host.empty()) r.host = std::move(host);
  if (auto p = nth_from_right(prefixes, o.x_prefix)) {
    if (valid_prefix(*p)) {
      std::string prefix(*p);
      while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
      r.prefix = std::move(prefix);
    } else {
      r.malformed = "X-Forwarded-Prefix";
    }
  }
  return r;
}

middleware proxy_headers_layer(proxy_options options) {
  middleware m;
  m.name = "proxy_headers (TRUSTED_PROXIES)";
  m.applies_to_probes = true;  // logs of probes should show the real client too
  m.fn = [o = std::move(options)](request& req, response& res, const next_fn& next) {
    auto r = resolve_proxy_headers(o, req);
    if (!r.ignored.empty()) {
      static log::rate_limited throttle(std::chrono::seconds(60));
      std::uint64_t suppressed = 0;
      if (throttle.allow(suppressed))
        log::warn("security.proxy", "forwarding_headers_ignored",
                  {{"peer", req.peer_address()},
                   {"header", r.ignored},
                   {"reason", o.trusted.empty() ? "TRUSTED_PROXIES is empty: no proxy is trusted"
                                                : "the peer is not in TRUSTED_PROXIES"},
                   {"hint", "if this app runs behind a proxy, list the proxy's address in TRUSTED_PROXIES; "
                            "otherwise clients are sending these headers to spoof their address"},
                   {"suppressed", suppressed}});
    }
    if (!r.malformed.empty()) {
      static log::rate_limited throttle(std::chrono::seconds(60));
      std::uint64_t suppressed = 0;
      if (throttle.allow(suppressed))
        log::warn("security.proxy", "forwarding_header_malformed",
                  {{"peer", req.peer_address()}, {"header", r.malformed}, {"suppressed", suppressed}});
    }
    const bool changes = r.client != req.peer_address() || r.secure || r.host || r.prefix;
    if (changes) {
      req.emplace<proxy_original>(proxy_original{std::string(req.peer_address()), req.peer_is_secure(),
                                                 std::string(req.header("host"))});
      req.set_client_address(r.client);
      if (r.secure) req.set_secure(*r.secure);
      if (r.host) req.set_host(*r.host);
      if (r.prefix) req.set_script_root(*r.prefix);
    }
    next(req, res);
  };
  return m;
}

}  // namespace bastion
