#include <bastion/security/cors.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bastion {
namespace {

using headers = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<response> run(const middleware& layer, http::verb method, std::string_view path, const headers& h) {
  auto res = std::make_unique<response>();
  request req;
  req.set_peer("203.0.113.5", true);
  EXPECT_TRUE(req.set_start_line(method, http::to_string(method), path, 11));
  for (const auto& [n, v] : h) req.add_header(n, v);
  static const handler endpoint = [](request&, response& r) { r.json_raw("{}"); };
  pipeline p{{&layer}, &endpoint, [](request&, response& r, std::exception_ptr) { r.text("error"); }};
  next_fn(p, 0)(req, *res);
  return res;
}

cors_options app_origin(bool credentials = false) {
  cors_options o;
  o.origins = {"https://app.example.com"};
  o.allow_credentials = credentials;
  return o;
}

TEST(Cors, RefusesWildcardWithCredentialsAtConfigurationTime) {
  cors_options o;
  o.origins = {"*"};
  o.allow_credentials = true;
  EXPECT_FALSE(validate(o).empty());
  EXPECT_THROW(cors_layer(o), std::invalid_argument);
  for (const char* bad : {"app.example.com", "https://app.example.com/", "ftp://x.example", "https://a b"}) {
    cors_options b;
    b.origins = {bad};
    EXPECT_FALSE(validate(b).empty()) << bad;
  }
}

TEST(Cors, AnswersPreflightsForAllowedOriginsMethodsAndHeaders) {
  const auto layer = cors_layer(app_origin(true));
  struct row {
    const char* name;
    headers sent;
    unsigned status;
    bool allowed;
  };
  const row rows[] = {
      {"Allowed", {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "POST"},
                   {"Access-Control-Request-Headers", "content-type, x-csrftoken"}}, 204, true},
      {"OtherOrigin", {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}}, 403, false},
      {"NullOrigin", {{"Origin", "null"}, {"Access-Control-Request-Method", "GET"}}, 403, false},
      {"MethodNotAllowed", {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "TRACE"}}, 403, false},
      {"HeaderNotAllowed", {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "GET"},
                            {"Access-Control-Request-Headers", "x-secret"}}, 403, false},
  };
  for (const auto& r : rows) {
    const auto res = run(layer, http::verb::options, "/api/v1/posts", r.sent);
    EXPECT_EQ(res->status(), r.status) << r.name;
    EXPECT_EQ(res->has_header("Access-Control-Allow-Origin"), r.allowed) << r.name;
    if (r.allowed) {
      EXPECT_EQ(res->header("Access-Control-Allow-Origin"), "https://app.example.com");
      EXPECT_EQ(res->header("Access-Control-Allow-Credentials"), "true");
      EXPECT_EQ(res->header("Access-Control-Max-Age"), "600");
      EXPECT_NE(res->header("Access-Control-Allow-Methods").find("POST"), std::string_view::npos);
    }
    EXPECT_NE(res->header("Vary").find("Origin"), std::string_view::npos) << r.name;
  }
}

TEST(Cors, DecoratesActualRequestsFromAllowedOriginsOnly) {
  auto o = app_origin();
  o.expose_headers = {"X-RateLimit-Remaining"};
  const auto layer = cors_layer(o);
  auto res = run(layer, http::verb::get, "/api/v1/posts", {{"Origin", "https://app.example.com"}});
  EXPECT_EQ(res->header("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_FALSE(res->has_header("Access-Control-Allow-Credentials"));
  EXPECT_EQ(res->header("Access-Control-Expose-Headers"), "X-RateLimit-Remaining");
  EXPECT_EQ(res->header("Vary"), "Origin");

  res = run(layer, http::verb::get, "/api/v1/posts", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(res->status(), 200u);  // the browser, not the server, withholds the body
  EXPECT_FALSE(res->has_header("Access-Control-Allow-Origin"));
  EXPECT_EQ(res->header("Vary"), "Origin");

  res = run(layer, http::verb::get, "/admin/", {{"Origin", "https://app.example.com"}});
  EXPECT_FALSE(res->has_header("Access-Control-Allow-Origin"));  // outside CORS_PATHS
}

TEST(Cors, WildcardWithoutCredentialsSendsStar) {
  cors_options o;
  o.origins = {"*"};
  const auto res = run(cors_layer(o), http::verb::get, "/api/x", {{"Origin", "https://any.example"}});
  EXPECT_EQ(res->header("Access-Control-Allow-Origin"), "*");
}

}  // namespace
}  // namespace bastion
