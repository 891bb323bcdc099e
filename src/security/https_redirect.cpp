#include <bastion/security/https_redirect.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/security/allowed_hosts.hpp>

#include <fmt/format.h>

namespace bastion {

std::string https_url_for(const request& req, std::uint16_t https_port) {
  const auto host = parse_host(req.host());
  if (!host) return {};
  std::string url = "https://";
  url += host->name;
  if (https_port != 443) url += fmt::format(":{}", https_port);
  url += req.script_root();
  url += req.target();
  return url;
}

void redirect_to_https(const request& req, response& res, std::uint16_t https_port) {
  auto url = https_url_for(req, https_port);
  if (url.empty()) throw http_error(400);
  const bool safe = req.method() == http::verb::get || req.method() == http::verb::head;
  res.status(safe ? 301 : 308);
  res.set_header("Location", url);
}

middleware https_redirect_layer(https_redirect_options options) {
  return {"https_redirect (FORCE_HTTPS)", [options](request& req, response& res, const next_fn& next) {
            if (req.is_secure()) next(req, res);
            else redirect_to_https(req, res, options.https_port);
          }};
}

}  // namespace bastion
