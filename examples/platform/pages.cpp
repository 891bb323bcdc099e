#include "pages.hpp"

#include "posts.hpp"
#include "view.hpp"

#include <bastion/auth/authentication.hpp>
#include <bastion/http/http_error.hpp>

#include <boost/json/value.hpp>

namespace platform {
namespace {

using bastion::http_error;
using bastion::request;
using bastion::response;

// Database failures become 503 (unavailable) or 500; the reason stays in the logs.
[[noreturn]] void fail(const boost::system::error_code& ec) {
  throw http_error(ec == bastion::db::db_errc::unavailable ? 503 : 500);
}

boost::json::object post_summary(const bastion::db::row& r) {
  return {{"id", r.integer(0)}, {"title", r.text(1)}, {"created_at", r.text(2)}};
}

}  // namespace

void add_pages(bastion::app& app) {
  app.get("/", [&app](request& req, response& res) {
    boost::json::array recent;
    auto rows = app.database().query("SELECT id, title, created_at FROM posts ORDER BY id DESC LIMIT 5");
    if (rows)
      for (const auto& r : rows->rows) recent.push_back(post_summary(r));
    render_page(app, req, res, "index", {{"title", "Home"}, {"recent", recent}, {"has_recent", !recent.empty()}});
  }, {.name = "index", .blocking = true});

  app.get("/posts", [&app](request& req, response& res) {
    auto rows = app.database().query("SELECT id, title, created_at FROM posts ORDER BY id DESC LIMIT 100");
    if (!rows) fail(rows.error());
    boost::json::array posts;
    for (const auto& r : rows->rows) posts.push_back(post_summary(r));
    render_page(app, req, res, "posts", {{"title", "Posts"}, {"posts", posts}, {"empty", posts.empty()}});
  }, {.name = "posts", .blocking = true});

  app.post("/posts", [&app](request& req, response& res) {
    const auto& form = req.form();
    if (!form) throw http_error(400, "the form could not be read");
    const post_input input{std::string(form->get("title")), std::string(form->get("body"))};
    const auto fields = validate_post(input);
    if (!fields.empty()) {
      boost::json::object data{{"title", "New post"}, {"post_title", input.title}, {"post_body", input.body}};
      boost::json::array errors;
      for (const auto& [name, message] : fields) errors.push_back({{"field", name}, {"message", message}});
      data["errors"] = std::move(errors);
      data["has_errors"] = true;
      render_page(app, req, res, "new_post", std::move(data), 400);
      return;
    }
    auto id = insert_post(app.database(), input, std::stoll(current_user(req)->id));
    if (!id) fail(id.error());
    res.redirect(app.url_for("post", {{"id", std::to_string(*id)}}), 302);
  }, {.name = "create_post", .blocking = true, .auth = bastion::auth_requirement::login});

  app.get("/posts/{id:int}", [&app](request& req, response& res) {
    auto rows = app.database().query(
        "SELECT p.id, p.title, p.body, p.created_at, COALESCE(u.username, '') "
        "FROM posts p LEFT JOIN users u ON u.id = p.author_id WHERE p.id = ?",
        req.param_int("id"));
    if (!rows) fail(rows.error());
    if (rows->rows.empty()) throw http_error(404);
    const auto& r = rows->rows.front();
    render_page(app, req, res, "post",
                {{"title", r.text(1)}, {"post", {{"id", r.integer(0)}, {"title", r.text(1)}, {"body", r.text(2)},
                                                 {"created_at", r.text(3)}, {"author", r.text(4)}}}});
  }, {.name = "post", .blocking = true});

  // HTML error pages in the site's layout; JSON clients keep the built-in JSON body.
  app.error_handler(0, [&app](request& req, response& res, const bastion::error_info& info) {
    if (req.wants_json()) return;  // leave the body empty: the built-in JSON renderer answers
    boost::json::object data{{"title", info.message}, {"status", info.status}, {"message", info.message}};
    if (info.status >= 500) data["request_id"] = req.request_id();
    data["csp_nonce"] = req.csp_nonce();
    auto html = app.templates().render("error", data, "layout");
    if (html) res.html(*html);
  });
}

}  // namespace platform
