#include "admin.hpp"

#include "view.hpp"

#include <bastion/auth/authentication.hpp>
#include <bastion/auth/password.hpp>
#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/routing/blueprint.hpp>

#include <algorithm>

namespace platform {
namespace {

using bastion::http_error;
using bastion::request;
using bastion::response;

[[noreturn]] void fail(const boost::system::error_code& ec) {
  throw http_error(ec == bastion::db::db_errc::unavailable ? 503 : 500);
}

bool valid_username(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.' || c == '@';
  });
}

void users_page(bastion::app& app, request& req, response& res, boost::json::object extra, unsigned status) {
  auto rows = app.database().query("SELECT id, username, role, created_at FROM users ORDER BY id");
  if (!rows) fail(rows.error());
  boost::json::array users;
  for (const auto& r : rows->rows)
    users.push_back({{"id", r.integer(0)}, {"username", r.text(1)}, {"role", r.text(2)}, {"created_at", r.text(3)}});
  extra["title"] = "Users";
  extra["users"] = std::move(users);
  render_page(app, req, res, "admin_users", std::move(extra), status);
}

}  // namespace

void add_admin(bastion::app& app) {
  bastion::blueprint admin("admin", "/admin",
                           {.blocking = true, .auth = bastion::auth_requirement::role, .role = "admin"});

  admin.get("/", [&app](request& req, response& res) {
    auto counts = app.database().query("SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM posts)");
    if (!counts) fail(counts.error());
    const auto& r = counts->rows.front();
    render_page(app, req, res, "admin_index", {{"title", "Admin"}, {"users", r.integer(0)}, {"posts", r.integer(1)}});
  }, {.name = "index"});

  admin.get("/users", [&app](request& req, response& res) { users_page(app, req, res, {}, 200); }, {.name = "users"});

  admin.post("/users", [&app](request& req, response& res) {
    const auto& form = req.form();
    if (!form) throw http_error(400, "the form could not be read");
    const std::string username(form->get("username")), password(form->get("password")), role(form->get("role"));
    boost::json::array errors;
    auto error = [&](std::string_view field, std::string_view message) {
      errors.push_back({{"field", field}, {"message", message}});
    };
    if (!valid_username(username)) error("username", "1 to 64 letters, digits or . _ - @");
    if (role != "user" && role != "admin") error("role", "must be user or admin");
    const auto& policy = app.auth().password;
    auto hash = bastion::hash_password(password, policy);
    if (!hash) error("password", hash.error().message());
    if (errors.empty()) {
      auto r = app.database().query("INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?)", username,
                                    *hash, role);
      if (!r && r.error() == bastion::db::db_errc::constraint) error("username", "is taken");
      else if (!r) fail(r.error());
    }
    if (!errors.empty()) {
      users_page(app, req, res, {{"errors", std::move(errors)}, {"new_username", username}}, 400);
      return;
    }
    bastion::log::info("platform.admin", "user_created",
                       {{"request_id", req.request_id()}, {"by", bastion::current_user(req)->id}, {"role", role}});
    res.redirect("/admin/users", 302);
  }, {.name = "create_user"});

  // Ends every session of a user (a stolen laptop, a departing employee).
  admin.post("/users/{id:int}/sessions/end", [&app](request& req, response& res) {
    const auto ended = app.sessions().end_user_sessions(std::to_string(req.param_int("id")));
    if (!ended) throw http_error(503);
    res.redirect("/admin/users", 302);
  }, {.name = "end_user_sessions"});

  app.register_blueprint(admin);
}

}  // namespace platform
