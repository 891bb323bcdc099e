#include <bastion/auth/authentication.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/routing/route.hpp>
#include <bastion/session/session.hpp>
#include <bastion/util/strings.hpp>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>

namespace bastion {
namespace {

struct identity {
  const auth_options* options = nullptr;
  bool resolved = false;
  auth_method method = auth_method::none;
  std::optional<bastion::user> user;
};

identity& identity_of(request& req) {
  if (auto* id = req.get<identity>()) return *id;
  return req.emplace<identity>();  // no authentication layer: nobody can be resolved
}

void resolve(request& req, identity& id) {
  id.resolved = true;
  if (!id.options) return;
  if (req.has_header("authorization")) {
    const auto token = bearer_token(req);
    if (!token.empty() && id.options->authenticate_token) id.user = id.options->authenticate_token(token);
    if (id.user) id.method = auth_method::token;
    else log::info("security.auth", "bearer_token_refused", {{"request_id", req.request_id()}, {"client", req.client_address()}});
    return;
  }
  auto* s = find_session(req);
  if (!s || !s->authenticated() || !id.options->load_user) return;
  id.user = id.options->load_user(s->user_id());
  if (id.user) {
    id.method = auth_method::session;
  } else {
    log::info("security.auth", "session_user_gone", {{"request_id", req.request_id()}, {"user_id", s->user_id()}});
    s->destroy();  // the user was deleted: the session is over
  }
}

std::string login_redirect(const request& req, const std::string& login_url) {
  std::string target(req.script_root());
  target += req.target();
  if (!is_safe_redirect_target(target)) return login_url;
  return login_url + "?next=" + boost::urls::encode(target, boost::urls::unreserved_chars);
}

}  // namespace

bool user::has_role(std::string_view role) const noexcept {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string_view bearer_token(const request& req) noexcept {
  const auto h = trim_ows(req.header("authorization"));
  if (h.size() < 7 || !iequals(h.substr(0, 7), "bearer ")) return {};
  return trim_ows(h.substr(7));
}

const user* current_user(request& req) {
  auto& id = identity_of(req);
  if (!id.resolved) resolve(req, id);
  return id.user ? &*id.user : nullptr;
}

auth_method authenticated_by(request& req) {
  current_user(req);
  return identity_of(req).method;
}

middleware authentication_layer(const auth_options& options) {
  return {"authentication", [&options](request& req, response& res, const next_fn& next) {
            req.emplace<identity>().options = &options;
            const auto* r = req.matched_route();
            const auto need = r ? r->options.auth : auth_requirement::none;
            if (need == auth_requirement::none) {
              next(req, res);
              return;
            }
            const bool token_only = r->options.token_only;
            const auto* u = current_user(req);
            if (u && token_only && authenticated_by(req) != auth_method::token) u = nullptr;
            if (!u) {
              if (token_only || req.wants_json() || req.has_header("authorization")) {
                res.status(401);
                res.set_header("WWW-Authenticate", req.has_header("authorization")
                                                       ? R"(Bearer error="invalid_token")" : "Bearer");
                return;
              }
              res.redirect(login_redirect(req, options.login_url), 302);
              return;
            }
            if (need == auth_requirement::role && !u->has_role(r->options.role)) {
              log::info("security.auth", "role_missing", {{"request_id", req.request_id()}, {"user_id", u->id},
                                                          {"role", r->options.role}});
              throw http_error(403);
            }
            next(req, res);
          }};
}

}  // namespace bastion
