#pragma once
// The application: routes, blueprints, middleware, error handlers, readiness checks,
// configuration, the database, templates and the command line every Bastion app gets
// (`serve`, `routes`, `check --deploy`, `gen-secret`, `config`, plus its own commands).
//
//   int main(int argc, char** argv) {
//     bastion::app app("hello");
//     app.get("/", [](bastion::request&, bastion::response& res) { res.text("hi"); });
//     return app.run(argc, argv);
//   }
#include <bastion/app/error_handler.hpp>
#include <bastion/app/middleware.hpp>
#include <bastion/auth/auth_settings.hpp>
#include <bastion/auth/key_ring.hpp>
#include <bastion/config/config.hpp>
#include <bastion/config/deploy_checks.hpp>
#include <bastion/db/database.hpp>
#include <bastion/routing/blueprint.hpp>
#include <bastion/ratelimit/limiter.hpp>
#include <bastion/routing/route.hpp>
#include <bastion/security/security_settings.hpp>
#include <bastion/server/service.hpp>
#include <bastion/templates/templates.hpp>

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace bastion {

namespace detail {
class router;
}

struct route_info {
  std::string methods;  // "GET, HEAD"
  std::string pattern;
  std::string name;
  std::string protections;  // human-readable summary of the route's options
};

class app final : public service {
 public:
  // Loads the configuration from the environment (and CONFIG_FILE) with the core
  // options plus `extra_options`.
  explicit app(std::string name, std::vector<option_spec> extra_options = {});
  // Uses an already-loaded configuration (tests).
  app(std::string name, config cfg);
  ~app() override;
  app(const app&) = delete;
  app& operator=(const app&) = delete;

  // ---- routes ----
  void route(std::string_view pattern, std::initializer_list<http::verb> methods, handler h,
             route_options options = {});
  void get(std::string_view p, handler h, route_options o = {}) { route(p, {http::verb::get}, std::move(h), std::move(o)); }
  void post(std::string_view p, handler h, route_options o = {}) { route(p, {http::verb::post}, std::move(h), std::move(o)); }
  void put(std::string_view p, handler h, route_options o = {}) { route(p, {http::verb::put}, std::move(h), std::move(o)); }
  void patch(std::string_view p, handler h, route_options o = {}) { route(p, {http::verb::patch}, std::move(h), std::move(o)); }
  void del(std::string_view p, handler h, route_options o = {}) { route(p, {http::verb::delete_}, std::move(h), std::move(o)); }
  // App-wide middleware, outermost first.
  void use(middleware m);
  void register_blueprint(const blueprint& bp);
  // App-wide error handler for `status` (0 = any status).
  void error_handler(unsigned status, error_handler_fn fn);
  // Path for a named route ("post", "admin.index"), parameters percent-encoded.
  // Throws std::invalid_argument for an unknown name or a missing/ill-typed parameter.
  std::string url_for(std::string_view name, const std::vector<std::pair<std::string, std::string>>& params = {}) const;

  // ---- health ----
  // A check run by GET /ready; any false (or exception) answers 503.
  void add_readiness_check(std::string name, std::function<bool()> check);
  // Runs every readiness check now.
  bool ready() const;
  // Runs the readiness checks every `interval` on a background thread, so GET /ready
  // answers from the last result and a slow or unreachable dependency never blocks an
  // event loop. `serve` starts it; without it /ready runs the checks inline.
  void start_readiness_monitor(std::chrono::milliseconds interval = std::chrono::seconds(1));
  void stop_readiness_monitor();

  // ---- configuration and deploy checks ----
  const config& settings() const noexcept { return config_; }
  // TLS, HTTPS, headers, CSP, proxies and CORS as read from the configuration.
  const security_settings& security() const noexcept { return security_; }
  // The rate limiter (RATELIMIT_*).
  rate_limiter& limiter() noexcept { return *limiter_; }
  // Violations received by the built-in /csp-report receiver (null when it is off).
  const csp_report_receiver* csp_reports() const noexcept { return csp_reports_.get(); }
  void add_deploy_check(deploy_check check);

  // ---- secrets, sessions, users ----
  // SECRET_KEY with SECRET_KEY_FALLBACKS, for every signed artifact.
  const key_ring& keys() const noexcept { return *keys_; }
  // Sessions, CSRF, login and password settings as configured.
  const auth_settings& auth() const noexcept { return auth_; }
  // The session layer's manager: list and end a user's sessions. Throws std::logic_error
  // when SESSIONS is off.
  session_manager& sessions() const;
  // How a session's user id becomes a user (may block: a database).
  void set_user_loader(user_loader loader);
  // How an `Authorization: Bearer` token becomes a user (may block).
  void set_token_authenticator(token_authenticator authenticate);
  const std::vector<deploy_check>& deploy_checks() const noexcept { return checks_; }

  // ---- services ----
  // The database from DATABASE_URL, opened on first use (which also adds the
  // "database" readiness check). Never fails: an unreachable database makes queries
  // fail and /ready answer 503 until it comes back.
  db::database& database();
  // Renders a template inside `layout` with `csp_nonce` (this response's nonce) added to
  // `data`, as text/html. Throws (500) when the template is missing or invalid.
  void render(request& req, response& res, std::string_view name, boost::json::object data,
              std::string_view layout = {});
  // Templates from `templates_dir` (default "templates" beside the working directory).
  template_engine& templates();
  void set_templates_dir(std::string dir);
  // Templates held in memory (name -> source), e.g. compiled into the executable.
  void set_templates(const std::map<std::string, std::string>& sources);

  // ---- command line ----
  // `configure` declares the command's options on the CLI11 subcommand and returns
  // what to run (exit code).
  using command_setup = std::function<std::function<int()>(CLI::App&)>;
  void command(std::string name, std::string description, command_setup configure);
  int run(int argc, char** argv);

  // ---- running ----
  // Builds the router and every route's pipeline. Registration afterwards throws.
  void freeze();
  bool frozen() const noexcept { return frozen_; }
  // Serves until SIGTERM/SIGINT; returns the exit code. Refuses insecure production config.
  int serve();
  std::vector<route_info> routes() const;
  // App-wide layers in order, built-in ones included.
  std::vector<std::string> pipeline_names() const;
  const std::string& name() const noexcept { return name_; }

  // service
  std::size_t route_request(request& req) const override;
  void handle(request& req, response& res) const override;
  bool blocking(const request& req) const override;
  void reject(request& req, response& res, unsigned status) const override;

  // Renders the error for the current exception (or `status` when no exception is in
  // flight) through the error handlers. Used by the pipeline runner.
  void render_error(request& req, response& res, unsigned status, std::string_view message,
                    const boost::json::object* extra, std::string_view detail) const;

 private:
  void add_route(std::string pattern, std::vector<http::verb> methods, handler h, route_options options,
                 const blueprint* owner);
  void add_builtin_routes();
  void add_security_routes();
  std::vector<middleware> security_layers() const;
  void apply_settings();
  void check_not_frozen(std::string_view what) const;
  void handle_exception(request& req, response& res, std::exception_ptr ex) const;

  std::string name_;
  config config_;
  std::vector<option_spec> extra_options_;
  std::vector<std::unique_ptr<bastion::route>> routes_;
  std::vector<std::unique_ptr<blueprint>> blueprints_;
  std::vector<middleware> middleware_;
  std::vector<middleware> builtin_;  // security layers, outermost first (built at freeze)
  security_settings security_;
  std::unique_ptr<csp_report_receiver> csp_reports_;
  std::unique_ptr<rate_limiter> limiter_;
  std::unique_ptr<key_ring> keys_;
  auth_settings auth_;
  auth_options auth_options_;
  std::unique_ptr<session_manager> sessions_;
  std::unique_ptr<csrf_protection> csrf_;
  std::vector<std::pair<unsigned, error_handler_fn>> error_handlers_;
  std::vector<std::pair<std::string, std::function<bool()>>> readiness_;
  std::vector<deploy_check> checks_;
  std::vector<std::tuple<std::string, std::string, command_setup>> commands_;
  std::unique_ptr<detail::router> router_;
  std::unique_ptr<bastion::route> not_found_route_;
  std::unique_ptr<bastion::route> rejected_route_;
  std::unique_ptr<bastion::route> add_slash_route_;
  std::unique_ptr<bastion::route> https_only_route_;
  std::unique_ptr<db::database> database_;
  std::unique_ptr<template_engine> templates_;
  std::string templates_dir_ = "templates";
  std::uint64_t default_body_limit_ = 1 << 20;
  std::size_t max_form_fields_ = 1000;
  bool access_log_ = true;
  bool debug_pages_ = false;
  bool frozen_ = false;
  mutable std::mutex lazy_mutex_;
  std::atomic<int> ready_state_{-1};  // -1: no monitor; 0/1: the monitor's last result
  std::jthread monitor_;
};

}  // namespace bastion
