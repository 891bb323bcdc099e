#include "account.hpp"

#include "view.hpp"

#include <bastion/auth/authentication.hpp>
#include <bastion/auth/password.hpp>
#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/session/session.hpp>
#include <bastion/session/session_manager.hpp>

#include <fmt/chrono.h>

#include <ctime>

namespace platform {
namespace {

using bastion::http_error;
using bastion::request;
using bastion::response;

std::string utc(std::int64_t seconds) {
  std::tm tm{};
  const auto t = static_cast<std::time_t>(seconds);
  gmtime_r(&t, &tm);
  return fmt::format("{:%Y-%m-%d %H:%M} UTC", tm);
}

void account_page(bastion::app& app, request& req, response& res, boost::json::object extra, unsigned status) {
  const auto* me = bastion::current_user(req);
  boost::json::array sessions;
  for (const auto& s : app.sessions().sessions_of(me->id, &req))
    sessions.push_back({{"handle", s.handle}, {"created", utc(s.created)}, {"last_seen", utc(s.last_seen)},
                        {"current", s.current}});
  extra["title"] = "Account";
  extra["sessions"] = std::move(sessions);
  render_page(app, req, res, "account", std::move(extra), status);
}

}  // namespace

void add_account(bastion::app& app) {
  app.get("/account", [&app](request& req, response& res) { account_page(app, req, res, {}, 200); },
          {.name = "account", .blocking = true, .auth = bastion::auth_requirement::login});

  app.post("/account/sessions/{handle}/end", [&app](request& req, response& res) {
    const auto* me = bastion::current_user(req);
    const auto handle = req.param("handle");
    if (bastion::session_of(req).handle() == handle) {  // ending the session in use is a logout
      bastion::session_of(req).destroy();
      res.redirect("/login", 302);
      return;
    }
    if (!app.sessions().end_session(me->id, handle)) throw http_error(404);  // not one of this user's
    bastion::log::info("platform.account", "session_ended", {{"request_id", req.request_id()}, {"user_id", me->id}});
    res.redirect("/account", 302);
  }, {.name = "end_session", .blocking = true, .auth = bastion::auth_requirement::login});

  // Knowing the current password is what this route checks, so it is limited like a login.
  const bastion::rate_limit_rule per_client{.limits = std::string(app.settings().get("LOGIN_RATELIMIT")),
                                            .scope = "account-password", .fail_open = false};
  app.post("/account/password", [&app](request& req, response& res) {
    const auto* me = bastion::current_user(req);
    const auto& form = req.form();
    if (!form) throw http_error(400, "the form could not be read");
    const std::string current(form->get("current_password")), wanted(form->get("new_password"));
    auto rows = app.database().query("SELECT password_hash FROM users WHERE id = ?", std::stoll(me->id));
    if (!rows) throw http_error(503);
    if (rows->rows.empty()) throw http_error(404);
    if (!bastion::verify_password(rows->rows.front().text(0), current)) {
      bastion::log::info("platform.account", "password_change_refused",
                         {{"request_id", req.request_id()}, {"user_id", me->id}, {"client", req.client_address()}});
      account_page(app, req, res, {{"error", "The current password is not right."}}, 400);
      return;
    }
    auto hash = bastion::hash_password(wanted, app.auth().password);
    if (!hash) {
      account_page(app, req, res, {{"error", "New password: " + hash.error().message() + "."}}, 400);
      return;
    }
    if (auto r = app.database().query("UPDATE users SET password_hash = ? WHERE id = ?", *hash, std::stoll(me->id)); !r)
      throw http_error(503);
    // Whoever else holds a session of this user (a stolen cookie, a forgotten laptop) is
    // out; this browser keeps going under a new id.
    const auto ended = app.sessions().end_user_sessions(me->id, &req);
    bastion::session_of(req).regenerate();
    bastion::log::info("platform.account", "password_changed",
                       {{"request_id", req.request_id()}, {"user_id", me->id}, {"sessions_ended", ended.value_or(0)}});
    res.redirect("/account", 302);
  }, {.name = "change_password", .blocking = true, .rate_limit_rules = {per_client},
      .auth = bastion::auth_requirement::login});
}

}  // namespace platform
