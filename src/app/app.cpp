#include <bastion/app/app.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/ratelimit/settings.hpp>
#include <bastion/security/allowed_hosts.hpp>
#include <bastion/security/https_redirect.hpp>
#include <bastion/util/random.hpp>

#include "routing/router.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <stdexcept>

namespace bastion {
namespace {

std::string methods_text(const std::vector<http::verb>& methods) {
  std::string out;
  for (auto m : methods) {
    if (!out.empty()) out += ", ";
    out += http::to_string(m);
  }
  return out;
}

std::string human_size(std::uint64_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

// Per-thread request ids: a random 64-bit prefix per thread plus a counter. Unique
// across threads and restarts in practice, and free of locks.
std::string_view next_request_id() {
  thread_local std::uint64_t prefix = [] {
    std::uint64_t p = 0;
    random_bytes({reinterpret_cast<unsigned char*>(&p), sizeof p});
    return p;
  }();
  thread_local std::uint64_t counter = 0;
  thread_local char buf[33];
  auto end = fmt::format_to(buf, "{:016x}{:08x}", prefix, static_cast<std::uint32_t>(++counter));
  return {buf, static_cast<std::size_t>(end - buf)};
}

// Why the server refused a request; read by the rejected route's handler.
struct rejection {
  unsigned status;
};

}  // namespace

app::app(std::string name, std::vector<option_spec> extra_options)
    : app(std::move(name), load_config(extra_options)) {
  extra_options_ = std::move(extra_options);
}

app::app(std::string name, config cfg) : name_(std::move(name)), config_(std::move(cfg)) {
  checks_ = core_deploy_checks();
  for (auto& c : security_deploy_checks()) checks_.push_back(std::move(c));
  for (auto& c : ratelimit_deploy_checks()) checks_.push_back(std::move(c));
  for (auto& c : auth_deploy_checks()) checks_.push_back(std::move(c));
  apply_settings();
  router_ = std::make_unique<detail::router>();
}

app::~app() { stop_readiness_monitor(); }

void app::apply_settings() {
  default_body_limit_ = config_.get_size("MAX_CONTENT_LENGTH");
  max_form_fields_ = static_cast<std::size_t>(config_.get_int("MAX_FORM_FIELDS"));
  access_log_ = config_.get_bool("ACCESS_LOG");
  debug_pages_ = config_.env() == environment::development && config_.debug();
  std::vector<setting_problem> problems;
  security_ = security_settings_from(config_, problems);
  for (auto& p : problems) config_.add_problem(std::move(p.option), std::move(p.message));
  std::vector<std::pair<std::string, std::string>> limiter_problems;
  limiter_ = rate_limiter_from(config_, limiter_problems);
  for (auto& [option, message] : limiter_problems) config_.add_problem(option, message);
  if (limiter_->options().enabled && limiter_->storage().kind() != "memory") {
    auto* storage = &limiter_->storage();
    readiness_.emplace_back("rate-limit storage", [storage] { return storage->ping(); });
  }
  // Without a key (production refuses to start then) the ring still needs one to exist.
  keys_ = std::make_unique<key_ring>(config_.secret_key().empty() ? random_hex(32) : config_.secret_key(),
                                     config_.get_list("SECRET_KEY_FALLBACKS"));
  std::vector<setting_problem> auth_problems;
  auth_ = auth_settings_from(config_, auth_problems);
  for (auto& p : auth_problems) config_.add_problem(std::move(p.option), std::move(p.message));
  auth_options_.login_url = auth_.login_url;
  sessions_.reset();
  csrf_.reset();
  if (auth_.sessions && auth_problems.empty() && auth_.session.store_uri == "database://") {
    try {
      auth_.session.store.database = &database();
    } catch (const std::exception&) {
      constexpr std::string_view problem = "database:// needs a supported DATABASE_URL";
      auth_problems.push_back({"SESSION_STORE_URI", std::string(problem)});
      config_.add_problem("SESSION_STORE_URI", std::string(problem));
    }
  }
  if (auth_.sessions && auth_problems.empty()) {
    sessions_ = std::make_unique<session_manager>(auth_.session, *keys_);
    if (sessions_->store().kind() != "memory") {
      auto* store = &sessions_->store();
      readiness_.emplace_back("session store", [store] { return store->ping(); });
    }
    if (auth_.csrf) csrf_ = std::make_unique<csrf_protection>(auth_.csrf_opts, *keys_);
  }
}

session_manager& app::sessions() const {
  if (!sessions_) throw std::logic_error("sessions are off (SESSIONS=false)");
  return *sessions_;
}

void app::set_user_loader(user_loader loader) {
  check_not_frozen("user loader");
  auth_options_.load_user = std::move(loader);
}

void app::set_token_authenticator(token_authenticator authenticate) {
  check_not_frozen("token authenticator");
  auth_options_.authenticate_token = std::move(authenticate);
}

void app::check_not_frozen(std::string_view what) const {
  if (frozen_)
    throw std::logic_error(fmt::format("{} after the app started serving; register routes, blueprints, "
                                       "middleware and error handlers before serve()", what));
}

void app::route(std::string_view pattern, std::initializer_list<http::verb> methods, handler h,
                route_options options) {
  add_route(std::string(pattern), std::vector<http::verb>(methods), std::move(h), std::move(options), nullptr);
}

void app::add_route(std::string pattern, std::vector<http::verb> methods, handler h, route_options options,
                    const blueprint* owner) {
  check_not_frozen("route " + pattern);
  std::string why;
  auto parsed = route_pattern::parse(pattern, &why);
  if (!parsed) throw std::invalid_argument(why);
  if (methods.empty()) throw std::invalid_argument(fmt::format("route {} has no methods", pattern));
  if (!h) throw std::invalid_argument(fmt::format("route {} has no handler", pattern));
  auto r = std::make_unique<bastion::route>();
  r->pattern = std::move(*parsed);
  r->methods = std::move(methods);
  r->fn = std::move(h);
  r->options = std::move(options);
  r->owner = owner;
  if (!r->options.name.empty())
    for (const auto& existing : routes_)
      if (existing->options.name == r->options.name)
        throw std::invalid_argument(fmt::format("route name '{}' is used twice", r->options.name));
  routes_.push_back(std::move(r));
}

void app::use(middleware m) {
  check_not_frozen("middleware " + m.name);
  middleware_.push_back(std::move(m));
}

void app::register_blueprint(const blueprint& bp) {
  check_not_frozen("blueprint " + bp.name());
  if (!bp.url_prefix().empty() && (bp.url_prefix().front() != '/' || bp.url_prefix().back() == '/'))
    throw std::invalid_argument(fmt::format("blueprint {}: url_prefix '{}' must start with '/' and not end with it",
                                            bp.name(), bp.url_prefix()));
  for (const auto& b : blueprints_)
    if (b->name() == bp.name()) throw std::invalid_argument(fmt::format("blueprint '{}' registered twice", bp.name()));
  blueprints_.push_back(std::make_unique<blueprint>(bp));
  const blueprint* owner = blueprints_.back().get();
  const auto& d = owner->defaults();
  for (const auto& rec : owner->routes()) {
    route_options o = rec.options;
    if (!o.name.empty()) o.name = owner->name() + "." + o.name;
    if (!o.max_body_bytes) o.max_body_bytes = d.max_body_bytes;
    if (o.auth == auth_requirement::none) {
      o.auth = d.auth;
      if (o.role.empty()) o.role = d.role;
    }
    o.csrf_exempt = o.csrf_exempt || d.csrf_exempt;
    o.blocking = o.blocking || d.blocking;
    o.rate_limit_exempt = o.rate_limit_exempt || d.rate_limit_exempt;
    o.rate_limits.insert(o.rate_limits.begin(), d.rate_limits.begin(), d.rate_limits.end());
    o.rate_limit_rules.insert(o.rate_limit_rules.begin(), d.rate_limit_rules.begin(), d.rate_limit_rules.end());
    o.layers.insert(o.layers.begin(), d.layers.begin(), d.layers.end());
    if (!o.headers) o.headers = d.headers;
    add_route(owner->url_prefix() + rec.pattern, rec.methods, rec.fn, std::move(o), owner);
  }
}

void app::error_handler(unsigned status, error_handler_fn fn) {
  check_not_frozen("error handler");
  error_handlers_.emplace_back(status, std::move(fn));
}

std::string app::url_for(std::string_view name, const std::vector<std::pair<std::string, std::string>>& params) const {
  for (const auto& r : routes_) {
    if (r->options.name != name) continue;
    auto built = r->pattern.build(params);
    if (!built) throw std::invalid_argument(fmt::format("url_for('{}'): missing or ill-typed parameter", name));
    return *built;
  }
  throw std::invalid_argument(fmt::format("url_for: no route named '{}'", name));
}

void app::add_readiness_check(std::string name, std::function<bool()> check) {
  std::lock_guard lock(lazy_mutex_);
  readiness_.emplace_back(std::move(name), std::move(check));
}

bool app::ready() const {
  std::vector<std::pair<std::string, std::function<bool()>>> checks;
  {
    std::lock_guard lock(lazy_mutex_);
    checks = readiness_;
  }
  bool ok = true;
  for (const auto& [name, check] : checks) {
    bool passed = false;
    try {
      passed = check();
    } catch (...) {
      passed = false;
    }
    if (!passed) {
      static log::rate_limited throttle(std::chrono::seconds(10));
      std::uint64_t suppressed = 0;
      if (throttle.allow(suppressed))
        log::warn("health", "readiness_check_failed", {{"check", name}, {"suppressed", suppressed}});
      ok = false;
    }
  }
  return ok;
}

void app::start_readiness_monitor(std::chrono::milliseconds interval) {
  if (monitor_.joinable()) return;
  ready_state_ = ready() ? 1 : 0;
  monitor_ = std::jthread([this, interval](std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    // wait_for returns early (false) when stop is requested; the loop condition ends it.
    while (!stop.stop_requested()) {
      cv.wait_for(lock, stop, interval, [] { return false; });
      if (!stop.stop_requested()) ready_state_ = ready() ? 1 : 0;
    }
  });
}

void app::stop_readiness_monitor() {
  if (!monitor_.joinable()) return;
  monitor_.request_stop();
  monitor_.join();
  ready_state_ = -1;
}

void app::add_deploy_check(deploy_check check) { checks_.push_back(std::move(check)); }

db::database& app::database() {
  std::lock_guard lock(lazy_mutex_);
  if (!database_) {
    auto opened = db::open_database(config_.get("DATABASE_URL"));
    if (!opened) throw std::runtime_error("DATABASE_URL is not a supported database URL");
    database_ = std::move(*opened);
    auto* db = database_.get();
    readiness_.emplace_back("database", [db] { return db->ping(); });
  }
  return *database_;
}

template_engine& app::templates() {
  std::lock_guard lock(lazy_mutex_);
  if (!templates_) {
    templates_ = std::make_unique<template_engine>(templates_dir_);
    for (const auto& p : templates_->problems()) log::error("templates", "template_invalid", {{"problem", p}});
  }
  return *templates_;
}

void app::render(request& req, response& res, std::string_view name, boost::json::object data, std::string_view layout) {
  data["csp_nonce"] = req.csp_nonce();
  auto html = templates().render(name, data, layout);
  if (!html) throw std::runtime_error(fmt::format("template '{}' could not be rendered", name));
  res.html(*html);
}

void app::set_templates_dir(std::string dir) {
  std::lock_guard lock(lazy_mutex_);
  templates_dir_ = std::move(dir);
  templates_.reset();
}

void app::set_templates(const std::map<std::string, std::string>& sources) {
  std::lock_guard lock(lazy_mutex_);
  templates_ = std::make_unique<template_engine>(sources);
  for (const auto& p : templates_->problems()) log::error("templates", "template_invalid", {{"problem", p}});
}

void app::command(std::string name, std::string description, command_setup configure) {
  commands_.emplace_back(std::move(name), std::move(description), std::move(configure));
}

void app::add_builtin_routes() {
  bool has_health = false, has_ready = false;
  for (const auto& r : routes_) {
    has_health = has_health || r->pattern.text() == "/health";
    has_ready = has_ready || r->pattern.text() == "/ready";
  }
  route_options probe;
  probe.probe = true;
  probe.csrf_exempt = true;
  probe.rate_limit_exempt = true;
  probe.max_body_bytes = 0;
  if (!has_health) {
    probe.name = "health";
    add_route("/health", {http::verb::get}, [](request&, response& res) { res.json_raw(R"({"status":"ok"})"); },
              probe, nullptr);
  }
  if (!has_ready) {
    probe.name = "ready";
    add_route("/ready", {http::verb::get},
              [this](request&, response& res) {
                const int cached = ready_state_.load(std::memory_order_relaxed);
                if (cached >= 0 ? cached == 1 : ready()) {
                  res.json_raw(R"({"status":"ready"})");
                } else {
                  res.status(503);
                  res.json_raw(R"({"status":"unavailable"})");
                }
              },
              probe, nullptr);
  }
}

void app::add_security_routes() {
  if (!security_.builtin_csp_receiver) return;
  for (const auto& r : routes_)
    if (r->pattern.text() == "/csp-report") return;  // the app has its own
  csp_reports_ = std::make_unique<csp_report_receiver>(security_.csp_report);
  route_options o;
  o.name = "csp_report";
  o.csrf_exempt = true;  // browsers send reports without tokens; the receiver changes no state
  o.max_body_bytes = security_.csp_report_max_bytes;
  o.rate_limits = {"120 per minute"};
  auto* receiver = csp_reports_.get();
  add_route("/csp-report", {http::verb::post}, [receiver](request& req, response& res) { receiver->handle(req, res); },
            std::move(o), nullptr);
}

std::vector<middleware> app::security_layers() const {
  std::vector<middleware> v;
  v.push_back(proxy_headers_layer(security_.proxy));
  if (security_.headers_enabled) v.push_back(security_headers_layer(header_policy::make(security_.headers)));
  v.push_back(allowed_hosts_layer(allowed_hosts(security_.server_names)));
  if (security_.force_https) v.push_back(https_redirect_layer(security_.redirect));
  if (!security_.cors.origins.empty()) v.push_back(cors_layer(security_.cors));
  if (sessions_) v.push_back(sessions_->layer());
  if (limiter_->options().enabled) v.push_back(limiter_->layer());
  if (csrf_) v.push_back(csrf_->layer());
  v.push_back(authentication_layer(auth_options_));
  return v;
}

void app::freeze() {
  if (frozen_) return;
  add_builtin_routes();
  add_security_routes();
  builtin_ = security_layers();
  for (const auto& r : routes_) limiter_->add_route(*r);
  for (const auto& r : routes_)
    if (auto err = router_->add(*r); !err.empty()) throw std::logic_error(err);

  auto on_error = [this](request& req, response& res, std::exception_ptr ex) { handle_exception(req, res, ex); };
  auto build_chain = [&](bastion::route& r) {
    r.chain.layers.clear();
    for (const auto& m : builtin_)
      if (!r.options.probe || m.applies_to_probes) r.chain.layers.push_back(&m);
    for (const auto& m : middleware_)
      if (!r.options.probe || m.applies_to_probes) r.chain.layers.push_back(&m);
    if (r.owner && !r.options.probe)
      for (const auto& m : r.owner->middlewares()) r.chain.layers.push_back(&m);
    for (const auto& m : r.options.layers) r.chain.layers.push_back(&m);
    r.chain.endpoint = &r.fn;
    r.chain.on_error = on_error;
  };
  for (auto& r : routes_) build_chain(*r);

  router_->finish([&](detail::endpoint& e) {
    std::vector<http::verb> allowed;
    for (std::size_t i = 0; i < e.by_method.size(); ++i)
      if (e.by_method[i]) allowed.push_back(static_cast<http::verb>(i));
    if (e.by_method[static_cast<std::size_t>(http::verb::get)] && !e.by_method[static_cast<std::size_t>(http::verb::head)])
      allowed.push_back(http::verb::head);
    if (!e.by_method[static_cast<std::size_t>(http::verb::options)]) allowed.push_back(http::verb::options);
    e.allow = methods_text(allowed);
    const std::string* allow = &e.allow;
    for (auto* r : {&e.options_route, &e.not_allowed_route}) {
      r->pattern = e.pattern;
      for (const auto* m : e.by_method)
        if (m) r->owner = m->owner;
    }
    e.options_route.methods = {http::verb::options};
    e.options_route.options.name = "";
    e.options_route.fn = [allow](request&, response& res) {
      res.status(204);
      res.set_header("Allow", *allow);
    };
    e.not_allowed_route.methods = {};
    e.not_allowed_route.fn = [allow](request&, response& res) {
      res.status(405);
      res.set_header("Allow", *allow);
    };
    build_chain(e.options_route);
    build_chain(e.not_allowed_route);
  });

  not_found_route_ = std::make_unique<bastion::route>();
  not_found_route_->fn = [](request&, response& res) { res.status(404); };
  build_chain(*not_found_route_);
  // Requests the server refuses (malformed, too large, too slow) get their error page
  // through the layers that are safe for any request, like probes do.
  rejected_route_ = std::make_unique<bastion::route>();
  rejected_route_->options.probe = true;
  rejected_route_->fn = [](request& req, response& res) {
    const auto* status = req.get<rejection>();
    res.status(status ? status->status : 400);
  };
  build_chain(*rejected_route_);
  // "/admin" when only "/admin/" exists: redirect, as Flask does, keeping the query.
  add_slash_route_ = std::make_unique<bastion::route>();
  add_slash_route_->fn = [](request& req, response& res) {
    std::string target(req.target());
    target.insert(std::min(target.find('?'), target.size()), "/");
    if (!is_safe_redirect_target(target)) throw http_error(404);
    res.redirect(target, 308);
  };
  build_chain(*add_slash_route_);
  // Requests on the plain-http redirect listener: the probe-safe layers (proxy, headers),
  // the Host check, then the redirect to this server's TLS port (or HTTPS_PORT).
  https_only_route_ = std::make_unique<bastion::route>();
  const auto configured_port = static_cast<std::uint16_t>(config_.get_int("HTTPS_PORT"));
  https_only_route_->fn = [configured_port, hosts = allowed_hosts(security_.server_names)](request& req, response& res) {
    if (!hosts.allows(req.host())) throw http_error(400);
    redirect_to_https(req, res, configured_port ? configured_port : req.tls_port());
  };
  https_only_route_->options.probe = true;
  build_chain(*https_only_route_);
  frozen_ = true;
}

std::size_t app::route_request(request& req) const {
  if (req.via_redirect_listener()) {  // read (and drop) a body, then redirect
    req.set_route(https_only_route_.get());
    return default_body_limit_;
  }
  const auto* r = router_->match(req.method(), req.path(), req);
  if (!r) {
    const bool read_only = req.method() == http::verb::get || req.method() == http::verb::head;
    const auto path = req.path();
    r = read_only && !path.ends_with('/') && router_->has_static(std::string(path) + "/") ? add_slash_route_.get()
                                                                                          : not_found_route_.get();
  }
  req.set_route(r);
  const auto body_limit = r->options.max_body_bytes.value_or(default_body_limit_);
  req.set_limits({.max_fields = max_form_fields_, .max_bytes = std::max<std::size_t>(body_limit, 8 * 1024)});
  return body_limit;
}

void app::handle(request& req, response& res) const {
  const auto start = access_log_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  try {
    req.set_request_id(next_request_id());
    const auto* r = req.matched_route();
    if (!r) {
      route_request(req);
      r = req.matched_route();
    }
    next_fn(r->chain, 0)(req, res);
    if (req.method() == http::verb::head) res.suppress_body = true;
  } catch (...) {
    // Only reachable when the error layer itself failed (out of memory while rendering
    // an error page): answer with a fixed 500 rather than let anything escape.
    res.reset();
    res.status(500);
    res.text("internal server error");
  }
  if (!access_log_) return;
  try {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    const auto* r = req.matched_route();
    log::access({.request_id = req.request_id(),
                 .method = req.method_string(),
                 .path = req.path(),
                 .route = r ? std::string_view(r->pattern.text()) : std::string_view{},
                 .status = res.status(),
                 .duration_us = micros,
                 .client = req.client_address()});
  } catch (...) {
    // A log line is not worth a failed response.
  }
}

bool app::blocking(const request& req) const {
  const auto* r = req.matched_route();
  if (!r || r->options.probe) return false;
  // A user loader or token check may query a database; a remote session store is a round trip.
  const bool remote_session = sessions_ && sessions_->store().kind() != "memory" && req.has_header("cookie");
  return r->options.blocking || r->options.auth != auth_requirement::none || remote_session ||
         limiter_->checks_remotely(*r);
}

void app::reject(request& req, response& res, unsigned status) const {
  req.emplace<rejection>(rejection{status});
  req.set_route(rejected_route_.get());
  handle(req, res);
}

void app::handle_exception(request& req, response& res, std::exception_ptr ex) const {
  if (!ex) {
    render_error(req, res, res.status(), {}, nullptr, {});
    return;
  }
  try {
    std::rethrow_exception(ex);
  } catch (const http_error& e) {
    res.reset();
    render_error(req, res, e.status(), e.public_message(), e.extra().empty() ? nullptr : &e.extra(), {});
  } catch (const std::exception& e) {
    log::error("app", "unhandled_exception",
               {{"request_id", req.request_id()}, {"route", req.matched_route() ? req.matched_route()->pattern.text() : ""},
                {"what", e.what()}});
    res.reset();
    const bool show = debug_pages_ && req.is_loopback_client() && req.peer_address() == req.client_address();
    render_error(req, res, 500, {}, nullptr, show ? std::string_view(e.what()) : std::string_view{});
  } catch (...) {
    log::error("app", "unhandled_exception", {{"request_id", req.request_id()}, {"what", "non-standard exception"}});
    res.reset();
    render_error(req, res, 500, {}, nullptr, {});
  }
}

void app::render_error(request& req, response& res, unsigned status, std::string_view message,
                       const boost::json::object* extra, std::string_view detail) const {
  error_info info{status, message.empty() ? default_error_message(status) : message, extra, detail};
  const error_handler_fn* h = nullptr;
  if (const auto* r = req.matched_route(); r && r->owner) h = r->owner->find_error_handler(status);
  if (!h)
    for (const auto& [s, fn] : error_handlers_)
      if (s == status) h = &fn;
  if (!h)
    for (const auto& [s, fn] : error_handlers_)
      if (s == 0) h = &fn;
  if (h) {
    try {
      res.status(status);
      (*h)(req, res, info);
      if (!res.body().empty()) return;
    } catch (const std::exception& e) {
      log::error("app", "error_handler_failed", {{"request_id", req.request_id()}, {"status", status}, {"what", e.what()}});
      res.reset();
    } catch (...) {
      res.reset();
    }
  }
  render_default_error(req, res, info);
}

std::vector<route_info> app::routes() const {
  std::vector<route_info> out;
  for (const auto& r : routes_) {
    std::vector<http::verb> methods = r->methods;
    for (auto m : r->methods)
      if (m == http::verb::get) methods.push_back(http::verb::head);
    std::string prot;
    auto add = [&](std::string s) {
      if (!prot.empty()) prot += ", ";
      prot += s;
    };
    const auto& o = r->options;
    if (o.probe) add("probe (no app middleware)");
    if (o.blocking) add("blocking (worker pool)");
    if (o.auth == auth_requirement::login) add("login required");
    if (o.auth == auth_requirement::role) add("role " + o.role);
    if (o.token_only) add("bearer token only");
    if (o.csrf_exempt && !o.probe) add("CSRF exempt");
    if (frozen_ && limiter_->options().enabled)
      for (const auto& l : limiter_->describe(*r)) add("limit " + l);
    else
      for (const auto& l : o.rate_limits) add("limit " + l);
    if (o.rate_limit_exempt && !o.probe) add("rate-limit exempt");
    add("body <= " + human_size(o.max_body_bytes.value_or(default_body_limit_)));
    for (const auto& m : o.layers) add("mw " + m.name);
    out.push_back({methods_text(methods), r->pattern.text(), o.name, prot});
  }
  return out;
}

std::vector<std::string> app::pipeline_names() const {
  std::vector<std::string> out{"errors (built-in: exceptions to error pages)", "access_log (built-in)"};
  for (const auto& m : frozen_ ? builtin_ : security_layers()) out.push_back(m.name + (m.applies_to_probes ? "" : " [not on probes]"));
  for (const auto& m : middleware_) out.push_back(m.name);
  return out;
}

}  // namespace bastion
