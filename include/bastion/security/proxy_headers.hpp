#pragma once
// Trusted reverse proxies (Werkzeug's ProxyFix, with an address allowlist on top).
//
// A proxy's headers count only when the TCP peer is inside TRUSTED_PROXIES. The client
// address is found by walking X-Forwarded-For (or RFC 7239 Forwarded) from the right:
// each entry was appended by the hop before it, so an entry is believed only while the
// hop that wrote it is itself trusted, and never more than `x_for` entries deep. What a
// client writes at the left of the chain is never believed. Proto/host/port/prefix use
// the value the outermost of `x_<name>` trusted hops wrote (ProxyFix's rule).
//
// Forwarding headers from an untrusted peer are ignored, and the first such request per
// minute logs a warning that says why: the usual sign of a proxy that is not configured
// as trusted (clients would all share the proxy's address).
#include <bastion/app/middleware.hpp>
#include <bastion/security/ip_network.hpp>

#include <optional>
#include <string>
#include <vector>

namespace bastion {

struct proxy_options {
  std::vector<ip_network> trusted;  // TRUSTED_PROXIES; empty = no proxy is trusted
  unsigned x_for = 1;               // PROXY_X_FOR: hops of X-Forwarded-For (Forwarded: for=)
  unsigned x_proto = 1;             // PROXY_X_PROTO
  unsigned x_host = 0;              // PROXY_X_HOST (0 = ignore the header)
  unsigned x_port = 0;              // PROXY_X_PORT
  unsigned x_prefix = 0;            // PROXY_X_PREFIX
  bool forwarded = false;           // PROXY_FORWARDED: read RFC 7239 Forwarded instead of X-Forwarded-*
};

// What the proxy headers of one request resolve to.
struct proxy_resolution {
  std::string client;                  // the client address (the peer when nothing is trusted)
  std::optional<bool> secure;          // scheme from a trusted proxy
  std::optional<std::string> host;     // host[:port] from a trusted proxy
  std::optional<std::string> prefix;   // path prefix from a trusted proxy
  std::string ignored;                 // header ignored because the peer is not trusted ("" = none)
  std::string malformed;               // header with a malformed value ("" = none)
};

proxy_resolution resolve_proxy_headers(const proxy_options& options, const request& req);

// The values the connection saw, kept by the layer for anyone who needs them.
struct proxy_original {
  std::string peer;
  bool secure = false;
  std::string host;
};

// The layer: applies the resolution to the request (client address, scheme, host,
// script root) and keeps the originals as request state (`req.get<proxy_original>()`).
middleware proxy_headers_layer(proxy_options options);

}  // namespace bastion
