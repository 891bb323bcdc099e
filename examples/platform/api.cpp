#include "api.hpp"

#include "posts.hpp"

#include <bastion/auth/authentication.hpp>
#include <bastion/http/http_error.hpp>
#include <bastion/util/strings.hpp>

#include <boost/json/array.hpp>

namespace platform {
namespace {

[[noreturn]] void fail(const boost::system::error_code& ec) {
  throw bastion::http_error(ec == bastion::db::db_errc::unavailable ? 503 : 500);
}

bool is_json(std::string_view content_type) {
  const auto semi = content_type.find(';');
  auto type = bastion::trim_ows(content_type.substr(0, semi));
  return bastion::iequals(type, "application/json");
}

}  // namespace

void add_api(bastion::app& app) {
  const std::string limit(app.settings().get("API_RATELIMIT"));
  app.get("/api/v1/posts", [&app](bastion::request&, bastion::response& res) {
    auto rows = app.database().query("SELECT id, title, created_at FROM posts ORDER BY id DESC LIMIT 100");
    if (!rows) fail(rows.error());
    boost::json::array posts;
    for (const auto& r : rows->rows)
      posts.push_back({{"id", r.integer(0)}, {"title", r.text(1)}, {"created_at", r.text(2)}});
    res.json(posts);
  }, {.name = "api_posts", .blocking = true, .rate_limits = {limit}});

  // Bearer tokens only: a browser's session cookie carries no authority here.
  app.post("/api/v1/posts", [&app](bastion::request& req, bastion::response& res) {
    if (!is_json(req.header("content-type"))) throw bastion::http_error(415, "expected application/json");
    auto body = req.json();
    if (!body) throw bastion::http_error(400, "malformed JSON");
    boost::json::object fields;
    post_input input;
    if (!body->is_object()) {
      fields["body"] = "must be a JSON object with title and body";
    } else {
      const auto& o = body->as_object();
      for (auto [name, target] : {std::pair{"title", &input.title}, std::pair{"body", &input.body}}) {
        const auto* v = o.if_contains(name);
        if (!v) fields[name] = "is required";
        else if (!v->is_string()) fields[name] = "must be a string";
        else *target = std::string(v->as_string());
      }
      for (const auto& [name, message] : validate_post(input))
        if (!fields.contains(name)) fields[name] = message;
    }
    if (!fields.empty()) throw bastion::http_error(422, "validation failed", {{"fields", std::move(fields)}});
    auto id = insert_post(app.database(), input, std::stoll(bastion::current_user(req)->id));
    if (!id) fail(id.error());
    res.status(201);
    res.set_header("Location", app.url_for("post", {{"id", std::to_string(*id)}}));
    res.json({{"id", *id}, {"url", app.url_for("post", {{"id", std::to_string(*id)}})}});
  }, {.name = "api_create_post", .blocking = true, .rate_limits = {limit}, .auth = bastion::auth_requirement::login,
      .token_only = true});
}

}  // namespace platform
