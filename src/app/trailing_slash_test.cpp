// "/admin" when only "/admin/" is routed redirects to it, like Flask; nothing else does.
#include "support/test_server.hpp"

#include <bastion/app/app.hpp>

#include <gtest/gtest.h>


namespace bastion {
namespace {

TEST(TrailingSlash, RedirectsToTheSlashedRouteKeepingTheQuery) {
  app a("t", testing::test_config());
  a.get("/admin/", [](request&, response& res) { res.text("admin"); });
  a.get("/plain", [](request&, response& res) { res.text("plain"); });
  a.post("/form/", [](request&, response& res) { res.text("form"); });
  a.freeze();
  struct row {
    const char* name;
    http::verb method;
    const char* target;
    unsigned status;
    const char* location;
  };
  const row rows[] = {
      {"GET without slash", http::verb::get, "/admin", 308, "/admin/"},
      {"query kept", http::verb::get, "/admin?tab=users", 308, "/admin/?tab=users"},
      {"HEAD too", http::verb::head, "/admin", 308, "/admin/"},
      {"exact match served", http::verb::get, "/admin/", 200, ""},
      {"no slash added to routes without one", http::verb::get, "/plain/", 404, ""},
      {"unsafe methods are not redirected", http::verb::post, "/form", 404, ""},
      {"a path starting with // is not redirected", http::verb::get, "//admin", 404, ""},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    request req;
    ASSERT_TRUE(req.set_start_line(r.method, http::to_string(r.method), r.target, 11));
    response res;
    a.route_request(req);
    a.handle(req, res);
    EXPECT_EQ(res.status(), r.status);
    EXPECT_EQ(res.header("location"), r.location);
  }
}

}  // namespace
}  // namespace bastion
