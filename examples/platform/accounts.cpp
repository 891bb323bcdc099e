#include "accounts.hpp"

#include "view.hpp"

#include <bastion/auth/authentication.hpp>
#include <bastion/auth/password.hpp>
#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/security/csrf.hpp>
#include <bastion/session/session.hpp>
#include <bastion/util/digest.hpp>

namespace platform {
namespace {

using bastion::request;
using bastion::response;

constexpr std::string_view failed_message = "Invalid username or password.";

std::string form_field(const request& req, std::string_view name) {
  const auto& f = req.form();
  return f ? std::string(f->get(name)) : std::string();
}

// The submitted `next`, when it is a path on this site; else "".
std::string safe_next(std::string_view next) { return bastion::is_safe_redirect_target(next) ? std::string(next) : ""; }

void login_page(bastion::app& app, request& req, response& res, std::string_view next, std::string_view error,
                unsigned status) {
  boost::json::object data{{"title", "Log in"}, {"next", safe_next(next)}, {"csrf_token", bastion::csrf_token(req)},
                           {"remember_me", app.sessions().options().remember_me}};
  if (!error.empty()) data["error"] = error;
  app.render(req, res, "login", std::move(data), "layout");
  res.status(status);
}

}  // namespace

void add_accounts(bastion::app& app) {
  app.set_user_loader([&app](std::string_view id) -> std::optional<bastion::user> {
    auto rows = app.database().query("SELECT id, username, role FROM users WHERE id = ?", std::string(id));
    if (!rows) throw bastion::http_error(503);  // a database outage is not a logout
    if (rows->rows.empty()) return std::nullopt;
    const auto& r = rows->rows.front();
    return bastion::user{std::to_string(r.integer(0)), r.text(1), {r.text(2)}};
  });

  app.get("/login", [&app](request& req, response& res) {
    const auto& q = req.query();
    const std::string next = q ? std::string(q->get("next")) : std::string();
    if (bastion::current_user(req)) {
      res.redirect(safe_next(next).empty() ? "/" : next, 302);
      return;
    }
    login_page(app, req, res, next, {}, 200);
  }, {.name = "login", .blocking = true});

  const std::string limit(app.settings().get("LOGIN_RATELIMIT"));
  bastion::rate_limit_rule per_client{.limits = limit, .fail_open = false};
  bastion::rate_limit_rule per_username{
      .limits = limit,
      .key = [](const request& req) {
        const auto& f = req.form();
        const auto name = f ? f->get("username") : std::string_view{};
        return name.empty() || name.size() > 64 ? std::string() : "login-user:" + bastion::sha256_hex(name);
      },
      .scope = "login-username",
      .fail_open = false};

  app.post("/login", [&app](request& req, response& res) {
    const auto username = form_field(req, "username");
    const auto password = form_field(req, "password");
    const auto next = form_field(req, "next");
    const auto& policy = app.auth().password;
    std::optional<bastion::db::row> found;
    if (!username.empty() && username.size() <= 64 && password.size() <= policy.max_length) {
      auto rows = app.database().query("SELECT id, password_hash FROM users WHERE username = ?", username);
      if (!rows) throw bastion::http_error(503);
      if (!rows->rows.empty()) found = rows->rows.front();
    }
    const bool ok = found ? bastion::verify_password(found->text(1), password) : bastion::verify_unknown_user(password, policy);
    if (!ok) {
      bastion::log::info("platform.login", "login_failed", {{"request_id", req.request_id()}, {"client", req.client_address()}});
      login_page(app, req, res, next, failed_message, 401);
      return;
    }
    const auto id = found->integer(0);
    if (bastion::needs_rehash(found->text(1), policy))
      if (auto h = bastion::hash_password(password, {.memory_kib = policy.memory_kib, .iterations = policy.iterations,
                                                     .min_length = 0, .max_length = policy.max_length}))
        (void)app.database().query("UPDATE users SET password_hash = ? WHERE id = ?", *h, id);
    auto& session = bastion::session_of(req);
    session.login(std::to_string(id));
    if (form_field(req, "remember") == "1") session.remember();  // only when REMEMBER_ME is on
    bastion::log::info("platform.login", "login", {{"request_id", req.request_id()}, {"user_id", id}});
    res.redirect(safe_next(next).empty() ? "/" : next, 302);
  }, {.name = "login_submit", .blocking = true, .rate_limit_rules = {per_client, per_username}});

  app.post("/logout", [](request& req, response& res) {
    bastion::session_of(req).destroy();
    res.redirect("/login", 302);
  }, {.name = "logout", .auth = bastion::auth_requirement::login});
}

}  // namespace platform
