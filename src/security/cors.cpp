#include <bastion/security/cors.hpp>

#include <bastion/log/log.hpp>
#include <bastion/security/allowed_hosts.hpp>
#include <bastion/util/strings.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace bastion {
namespace {

bool valid_origin(std::string_view o) {
  std::string_view rest;
  if (o.starts_with("https://")) rest = o.substr(8);
  else if (o.starts_with("http://")) rest = o.substr(7);
  else return false;
  return parse_host(rest).has_value();
}

bool contains_ci(const std::vector<std::string>& list, std::string_view v) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) { return iequals(s, v); });
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

struct compiled_cors {
  cors_options o;
  bool any = false;
  std::string methods, headers, expose, max_age;

  bool applies(std::string_view path) const {
    return std::any_of(o.paths.begin(), o.paths.end(), [&](const std::string& p) { return path.starts_with(p); });
  }
  bool allowed(std::string_view origin) const { return any || contains_ci(o.origins, origin); }
  void allow_origin(response& res, std::string_view origin) const {
    res.set_header("Access-Control-Allow-Origin", any && !o.allow_credentials ? std::string_view("*") : origin);
    if (o.allow_credentials) res.set_header("Access-Control-Allow-Credentials", "true");
  }
};

void refuse_preflight(const request& req, std::string_view why) {
  static log::rate_limited throttle(std::chrono::seconds(10));
  std::uint64_t suppressed = 0;
  if (throttle.allow(suppressed))
    log::warn("security.cors", "preflight_refused",
              {{"request_id", req.request_id()}, {"origin", req.header("origin").substr(0, 200)},
               {"path", req.path()}, {"reason", why}, {"suppressed", suppressed}});
}

}  // namespace

std::vector<std::string> validate(const cors_options& o) {
  std::vector<std::string> out;
  const bool any = contains_ci(o.origins, "*");
  if (any && o.allow_credentials)
    out.push_back("CORS_ORIGINS '*' with CORS_ALLOW_CREDENTIALS: browsers refuse it, and allowing every origin with "
                  "credentials would let any site act as the user; list the origins instead");
  for (const auto& origin : o.origins)
    if (origin != "*" && !valid_origin(origin))
      out.push_back(fmt::format("CORS_ORIGINS entry '{}' is not an origin (scheme://host[:port], no path)", origin));
  for (const auto& p : o.paths)
    if (p.empty() || p.front() != '/') out.push_back(fmt::format("CORS_PATHS entry '{}' must start with '/'", p));
  if (o.max_age.count() < 0 || o.max_age.count() > 86400)
    out.push_back("CORS_MAX_AGE must be between 0 and 24h (browsers cap it anyway)");
  return out;
}

middleware cors_layer(cors_options options) {
  if (auto problems = validate(options); !problems.empty()) {
    std::string msg = "invalid CORS configuration:";
    for (const auto& p : problems) msg += "\n  - " + p;
    throw std::invalid_argument(msg);
  }
  auto c = std::make_shared<compiled_cors>();
  c->any = contains_ci(options.origins, "*");
  c->methods = join(options.allow_methods);
  c->headers = join(options.allow_headers);
  c->expose = join(options.expose_headers);
  c->max_age = std::to_string(options.max_age.count());
  c->o = std::move(options);
  return {"cors (CORS_ORIGINS)", [c](request& req, response& res, const next_fn& next) {
            if (c->o.origins.empty() || !c->applies(req.path())) {
              next(req, res);
              return;
            }
            const auto origin = req.header("origin");
            const auto wanted_method = req.header("access-control-request-method");
            if (req.method() == http::verb::options && !origin.empty() && !wanted_method.empty()) {
              res.set_header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
              if (!c->allowed(origin)) {
                refuse_preflight(req, "origin not in CORS_ORIGINS");
                res.status(403);
                return;
              }
              if (!contains_ci(c->o.allow_methods, wanted_method)) {
                refuse_preflight(req, "method not in CORS_ALLOW_METHODS");
                res.status(403);
                return;
              }
              for (auto h : split_list(req.header("access-control-request-headers"), ',')) {
                h = trim_ows(h);
                if (!h.empty() && !contains_ci(c->o.allow_headers, h)) {
                  refuse_preflight(req, "header not in CORS_ALLOW_HEADERS");
                  res.status(403);
                  return;
                }
              }
              res.status(204);
              c->allow_origin(res, origin);
              res.set_header("Access-Control-Allow-Methods", c->methods);
              if (!c->headers.empty()) res.set_header("Access-Control-Allow-Headers", c->headers);
              res.set_header("Access-Control-Max-Age", c->max_age);
              return;
            }
            next(req, res);
            res.add_header("Vary", "Origin");
            if (!origin.empty() && c->allowed(origin)) {
              c->allow_origin(res, origin);
              if (!c->expose.empty()) res.set_header("Access-Control-Expose-Headers", c->expose);
            }
          }};
}

}  // namespace bastion
