#include <bastion/security/allowed_hosts.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/security/ip_network.hpp>
#include <bastion/util/strings.hpp>

#include <fmt/format.h>

#include <charconv>
#include <stdexcept>

namespace bastion {
namespace {

bool is_dns_name(std::string_view s) noexcept {
  if (s.empty() || s.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return true;
}

std::string_view without_trailing_dot(std::string_view s) noexcept {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<host_parts> parse_host(std::string_view host) noexcept {
  host_parts out;
  if (host.empty()) return std::nullopt;
  std::string_view rest;
  if (host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.name = host.substr(0, close + 1);
    auto a = ip_address::parse(out.name);
    if (!a || a->v4) return std::nullopt;
    rest = host.substr(close + 1);
  } else {
    const auto colon = host.find(':');
    out.name = host.substr(0, colon);
    if (!is_dns_name(without_trailing_dot(out.name))) return std::nullopt;
    rest = colon == std::string_view::npos ? std::string_view{} : host.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.front() != ':' || rest.size() < 2 || rest.size() > 6) return std::nullopt;
    unsigned port = 0;
    const auto digits = rest.substr(1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535) return std::nullopt;
    out.port = digits;
  }
  return out;
}

allowed_hosts::allowed_hosts(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {
  any_ = patterns_.empty();
  for (auto& p : patterns_) {
    if (p == "*") {
      any_ = true;
      continue;
    }
    std::string_view body = p;
    if (body.starts_with("*.")) body.remove_prefix(2);
    else if (body.starts_with(".")) body.remove_prefix(1);
    const auto parts = parse_host(body);
    if (!parts || !parts->port.empty())
      throw std::invalid_argument(fmt::format("SERVER_NAME entry '{}' is not a host name, '.domain', '*.domain' or '*'", p));
  }
}

bool allowed_hosts::allows(std::string_view host) const noexcept {
  if (host.empty()) return any_;  // HTTP/1.0 without Host: only when any host is fine
  const auto parts = parse_host(host);
  if (!parts) return false;
  if (any_) return true;
  const auto name = without_trailing_dot(parts->name);
  for (const auto& p : patterns_) {
    std::string_view pat = p;
    if (pat.starts_with("*.")) {  // subdomains only
      pat.remove_prefix(1);       // ".example.com"
      if (name.size() > pat.size() && iequals(name.substr(name.size() - pat.size()), pat)) return true;
    } else if (pat.starts_with(".")) {  // the domain and its subdomains
      if (iequals(name, pat.substr(1))) return true;
      if (name.size() > pat.size() && iequals(name.substr(name.size() - pat.size()), pat)) return true;
    } else if (iequals(name, without_trailing_dot(pat))) {
      return true;
    }
  }
  return false;
}

middleware allowed_hosts_layer(allowed_hosts hosts) {
  return {"allowed_hosts (SERVER_NAME)", [hosts = std::move(hosts)](request& req, response& res, const next_fn& next) {
            const auto host = req.host();
            if (!hosts.allows(host)) {
              static log::rate_limited throttle(std::chrono::seconds(10));
              std::uint64_t suppressed = 0;
              if (throttle.allow(suppressed))
                log::warn("security.hosts", "host_refused",
                          {{"request_id", req.request_id()}, {"client", req.client_address()},
                           {"host", host.substr(0, 255)}, {"suppressed", suppressed}});
              throw http_error(400);
            }
            next(req, res);
          }};
}

}  // namespace bastion
