// The command line every Bastion app gets: serve, routes, check --deploy, gen-secret,
// config, plus the app's own commands. Every command reads the same configuration.
#include <bastion/app/app.hpp>

#include <bastion/log/log.hpp>
#include <bastion/server/server.hpp>
#include <bastion/util/random.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>

#include <cstdio>
#include <iostream>

namespace bastion {
namespace {

void print_problems(const config& cfg) {
  for (const auto& p : cfg.problems()) fmt::print(stderr, "configuration error: {}: {}\n", p.option, p.message);
}

spdlog::level::level_enum log_level(std::string_view s) {
  auto l = spdlog::level::from_str(std::string(s));
  return l == spdlog::level::off && s != "off" ? spdlog::level::info : l;
}

}  // namespace

int app::serve() {
  log::init({.to_stdout = config_.get_bool("LOG_TO_STDOUT"), .level = log_level(config_.get("LOG_LEVEL"))});
  if (!config_.problems().empty()) {
    print_problems(config_);
    return 2;
  }
  if (config_.is_production()) {
    const auto fatal = run_deploy_checks(checks_, config_, true);
    if (!fatal.empty()) {
      for (const auto& f : fatal) fmt::print(stderr, "refusing to start in production: {}: {}\n", f.id, f.message);
      log::error("server", "insecure_configuration_refused", {{"failed_checks", fatal.size()}});
      return 1;
    }
  }
  if (config_.secret_key_is_ephemeral())
    log::warn("config", "ephemeral_secret_key",
              {{"hint", "no SECRET_KEY set: using a random key for this process; signed data will not survive a restart"}});
  try {
    freeze();
  } catch (const std::exception& e) {
    fmt::print(stderr, "cannot start: {}\n", e.what());
    return 2;
  }
  server srv(*this, server_options_from(config_));
  if (auto r = srv.listen(); !r) {
    const bool tls_failed = r.error() == boost::system::errc::invalid_argument && !config_.get("TLS_CERT_FILE").empty();
    fmt::print(stderr, "cannot listen on {}:{}: {}\n", config_.get("HOST"), config_.get("PORT"),
               tls_failed ? "the TLS certificate or key could not be loaded (see the log)" : r.error().message());
    return 1;
  }
  start_readiness_monitor();
  const bool tls = !config_.get("TLS_CERT_FILE").empty();
  boost::json::object fields{{"app", name_},
                             {"address", fmt::format("{}://{}:{}", tls ? "https" : "http", config_.get("HOST"), srv.port())},
                             {"environment", to_string(config_.env())},
                             {"threads", srv.threads()}};
  if (srv.redirect_port()) fields["redirect_address"] = fmt::format("http://{}:{}", config_.get("HOST"), srv.redirect_port());
  log::info("server", "listening", std::move(fields));
  const int rc = srv.run_until_signal();
  stop_readiness_monitor();
  return rc;
}

int app::run(int argc, char** argv) {
  CLI::App cli{fmt::format("{} (Bastion application)", name_)};
  cli.require_subcommand(1);
  std::string config_file;
  cli.add_option("--config", config_file, "TOML configuration file (else CONFIG_FILE)");
  std::function<int()> action;

  cli.add_subcommand("serve", "serve HTTP on HOST:PORT until SIGTERM/SIGINT")->callback([&] {
    action = [this] { return serve(); };
  });

  cli.add_subcommand("routes", "list every route with its methods, name and protections")->callback([&] {
    action = [this] {
      freeze();
      fmt::print("pipeline: ");
      bool first = true;
      for (const auto& n : pipeline_names()) {
        fmt::print("{}{}", first ? "" : " -> ", n);
        first = false;
      }
      fmt::print(" -> handler\n\n");
      fmt::print("{:<22} {:<28} {:<18} {}\n", "METHODS", "PATH", "NAME", "PROTECTIONS");
      for (const auto& r : routes()) fmt::print("{:<22} {:<28} {:<18} {}\n", r.methods, r.pattern, r.name, r.protections);
      return 0;
    };
  });

  auto* check = cli.add_subcommand("check", "run configuration checks");
  bool deploy = false;
  check->add_flag("--deploy", deploy, "the production checklist; non-zero exit on any failed check");
  check->callback([&] {
    action = [this, &deploy] {
      int failures = 0;
      for (const auto& p : config_.problems()) {
        fmt::print("FAIL  config       {}: {}\n", p.option, p.message);
        ++failures;
      }
      if (deploy) {
        for (const auto& f : run_deploy_checks(checks_, config_)) {
          const bool error = f.severity == check_severity::error;
          fmt::print("{}  {:<12} {}\n", error ? "FAIL" : "WARN", f.id, f.message);
          failures += error;
        }
        // Routes that skip CSRF checks, so that every exemption is a decision someone sees.
        constexpr std::string_view unsafe[] = {"POST", "PUT", "PATCH", "DELETE"};
        freeze();
        for (const auto& r : routes())
          if (r.protections.find("CSRF exempt") != std::string::npos &&
              std::any_of(std::begin(unsafe), std::end(unsafe),
                          [&](std::string_view m) { return r.methods.find(m) != std::string::npos; }))
            fmt::print("WARN  {:<12} {} {} is CSRF exempt (route_options::csrf_exempt)\n", "csrf.W001", r.methods,
                       r.pattern);
      }
      fmt::print("{} failed check(s)\n", failures);
      return failures ? 1 : 0;
    };
  });

  cli.add_subcommand("gen-secret", "print a fresh 256-bit secret key (64 hex characters)")->callback([&] {
    action = [] {
      fmt::print("{}\n", random_hex(32));
      return 0;
    };
  });

  cli.add_subcommand("config", "print the effective configuration (secrets redacted)")->callback([&] {
    action = [this] {
      fmt::print("APP_ENV={} ({})\n", to_string(config_.env()), to_string(config_.source("APP_ENV")));
      for (const auto& d : config_.describe())
        if (d.name != "APP_ENV") fmt::print("{}={}  ({})\n", d.name, d.value, d.source);
      print_problems(config_);
      return config_.problems().empty() ? 0 : 2;
    };
  });

  for (auto& [name, description, configure] : commands_) {
    auto* sub = cli.add_subcommand(name, description);
    auto run_fn = std::make_shared<std::function<int()>>(configure(*sub));
    sub->callback([&action, run_fn] { action = *run_fn; });
  }

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (!config_file.empty()) {
    config_sources sources;
    sources.file = config_file;
    config_ = load_config(extra_options_, sources);
    apply_settings();
  }
  log::init({.to_stdout = config_.get_bool("LOG_TO_STDOUT"), .level = log_level(config_.get("LOG_LEVEL"))});
  try {
    return action ? action() : 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}

}  // namespace bastion
