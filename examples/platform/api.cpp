#include "api.hpp"

#include <bastion/http/http_error.hpp>

#include <boost/json/array.hpp>

namespace platform {

void add_api(bastion::app& app) {
  const std::string limit(app.settings().get("API_RATELIMIT"));
  app.get("/api/v1/posts", [&app](bastion::request&, bastion::response& res) {
    auto rows = app.database().query("SELECT id, title, created_at FROM posts ORDER BY id DESC LIMIT 100");
    if (!rows) throw bastion::http_error(rows.error() == bastion::db::db_errc::unavailable ? 503 : 500);
    boost::json::array posts;
    for (const auto& r : rows->rows)
      posts.push_back({{"id", r.integer(0)}, {"title", r.text(1)}, {"created_at", r.text(2)}});
    res.json(posts);
  }, {.name = "api_posts", .blocking = true, .rate_limits = {limit}});
}

}  // namespace platform
