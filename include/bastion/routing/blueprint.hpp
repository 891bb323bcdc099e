#pragma once
// A blueprint: a group of routes under a URL prefix with their own middleware, error
// handlers and default route options (Flask's Blueprint). It records registrations and
// the app replays them when the blueprint is registered.
//
//   blueprint admin("admin", "/admin", {.auth = auth_requirement::role, .role = "admin"});
//   admin.get("/", show_dashboard, {.name = "index"});   // url_for("admin.index") == "/admin/"
//   app.register_blueprint(admin);
#include <bastion/app/error_handler.hpp>
#include <bastion/app/middleware.hpp>
#include <bastion/routing/route.hpp>

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

namespace bastion {

class blueprint {
 public:
  // `name` prefixes route names ("admin.index"); `url_prefix` is "" or starts with '/'
  // and does not end with '/'. `defaults` apply to every route (a route's own auth,
  // body limit and name win; CSRF exemption, limits and middleware add up).
  blueprint(std::string name, std::string url_prefix, route_options defaults = {});

  void route(std::string_view pattern, std::initializer_list<http::verb> methods, handler h,
             route_options options = {});
  void get(std::string_view pattern, handler h, route_options options = {}) {
    route(pattern, {http::verb::get}, std::move(h), std::move(options));
  }
  void post(std::string_view pattern, handler h, route_options options = {}) {
    route(pattern, {http::verb::post}, std::move(h), std::move(options));
  }
  void use(middleware m) { middleware_.push_back(std::move(m)); }
  // Handles errors raised by this blueprint's routes; `status` 0 catches every status.
  void error_handler(unsigned status, error_handler_fn fn) { error_handlers_[status] = std::move(fn); }

  const std::string& name() const noexcept { return name_; }
  const std::string& url_prefix() const noexcept { return prefix_; }
  const route_options& defaults() const noexcept { return defaults_; }
  const std::vector<middleware>& middlewares() const noexcept { return middleware_; }
  // The handler for `status` (or the catch-all), or null.
  const error_handler_fn* find_error_handler(unsigned status) const noexcept;

  struct recorded_route {
    std::string pattern;
    std::vector<http::verb> methods;
    handler fn;
    route_options options;
  };
  const std::vector<recorded_route>& routes() const noexcept { return routes_; }

 private:
  std::string name_, prefix_;
  route_options defaults_;
  std::vector<middleware> middleware_;
  std::map<unsigned, error_handler_fn> error_handlers_;
  std::vector<recorded_route> routes_;
};

}  // namespace bastion
