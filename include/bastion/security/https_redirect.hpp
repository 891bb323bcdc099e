#pragma once
// HTTPS enforcement (FORCE_HTTPS): a plain-http request is redirected to the same host
// and target over https: 301 for GET and HEAD, 308 otherwise (the method and body are
// kept). "Plain http" is what the connection or a trusted proxy says (X-Forwarded-Proto
// from anyone else is ignored), so a TLS-terminating proxy cannot cause a redirect loop.
// The Host must be a valid host name (and allowed by SERVER_NAME, checked before this
// layer), so the redirect cannot point at a host of the client's choosing. Probes
// (/health, /ready) are never redirected.
#include <bastion/app/middleware.hpp>

#include <cstdint>

namespace bastion {

struct https_redirect_options {
  std::uint16_t https_port = 443;  // port in the redirect target; 443 is left out
};

middleware https_redirect_layer(https_redirect_options options);

// The https URL for `req` ("" when its Host is not a valid host name).
std::string https_url_for(const request& req, std::uint16_t https_port);

// Answers `req` with the redirect to https (301 GET/HEAD, 308 others); throws
// http_error(400) when its Host is not a valid host name.
void redirect_to_https(const request& req, response& res, std::uint16_t https_port);

}  // namespace bastion
