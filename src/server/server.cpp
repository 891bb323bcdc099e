#include <bastion/server/server.hpp>

#include "server/worker.hpp"

#include <bastion/log/log.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include <csignal>
#include <functional>
#include <thread>
#include <vector>

namespace bastion {

namespace asio = boost::asio;

struct server::impl {
  detail::server_shared shared;
  std::vector<std::unique_ptr<detail::worker>> workers;
  // Declared after the workers so it is joined first: its tasks hold connections that
  // belong to the workers' loops.
  std::unique_ptr<asio::thread_pool> pool;
  detail::tls_store tls;
  std::uint16_t port = 0;
  std::uint16_t redirect_port = 0;
  bool started = false;

  impl(const service& svc, server_options o) : shared{svc, std::move(o), {}} {}
};

server::server(const service& svc, server_options options) : impl_(std::make_unique<impl>(svc, std::move(options))) {
  if (impl_->shared.options.threads == 0)
    impl_->shared.options.threads = std::max(1u, std::thread::hardware_concurrency());
}

server::~server() {
  stop();
  wait();
}

boost::system::result<void> server::listen() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->shared.options.host, ec);
  if (ec) return ec;
  const auto& o = impl_->shared.options;
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (auto problem = impl_->tls.load(o.tls_cert_file, o.tls_key_file); !problem.empty()) {
      log::error("server", "tls_setup_failed", {{"reason", problem}});
      return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    }
    impl_->shared.tls = &impl_->tls;
  }
  std::uint16_t port = o.port;
  std::uint16_t redirect_port = o.redirect_port;
  for (unsigned i = 0; i < o.threads; ++i) {
    auto w = std::make_unique<detail::worker>(impl_->shared);
    auto err = w->open({address, port});
    if (!err && redirect_port != 0) err = w->open_redirect({address, redirect_port});
    if (err) {
      impl_->workers.clear();
      return err;
    }
    port = w->local_port();  // an ephemeral port is chosen once, then shared
    if (redirect_port != 0) redirect_port = w->redirect_port();
    impl_->workers.push_back(std::move(w));
  }
  impl_->port = port;
  impl_->redirect_port = redirect_port;
  if (impl_->shared.options.blocking_threads > 0 && !impl_->pool) {
    impl_->pool = std::make_unique<asio::thread_pool>(impl_->shared.options.blocking_threads);
    impl_->shared.pool = impl_->pool.get();
  }
  return {};
}

std::uint16_t server::port() const noexcept { return impl_->port; }

std::uint16_t server::redirect_port() const noexcept { return impl_->redirect_port; }

std::string server::reload_tls() {
  if (!impl_->shared.tls) return "TLS is not configured";
  auto problem = impl_->tls.reload();
  if (problem.empty()) log::info("server", "tls_reloaded");
  else log::error("server", "tls_reload_failed", {{"reason", problem}, {"kept", "the previous certificate"}});
  return problem;
}

void server::start() {
  if (impl_->started) return;
  impl_->started = true;
  for (auto& w : impl_->workers) w->start();
}

void server::stop() {
  for (auto& w : impl_->workers) w->stop();
}

void server::wait() {
  for (auto& w : impl_->workers) w->join();
  if (impl_->pool) impl_->pool->join();
}

int server::run_until_signal() {
  std::signal(SIGPIPE, SIG_IGN);
  asio::io_context signals_ctx;
  asio::signal_set signals(signals_ctx, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal;
  on_signal = [&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {  // reload the certificate; connections stay open
      reload_tls();
      signals.async_wait(on_signal);
      return;
    }
    log::info("server", "shutting_down",
              {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"},
               {"grace_ms", impl_->shared.options.shutdown_timeout.count()}});
    stop();
  };
  signals.async_wait(on_signal);
  start();
  signals_ctx.run();
  wait();
  log::info("server", "stopped");
  return 0;
}

unsigned server::threads() const noexcept { return impl_->shared.options.threads; }

std::size_t server::connection_count() const noexcept {
  return impl_->shared.connections.load(std::memory_order_relaxed);
}

server_options server_options_from(const config& cfg) {
  server_options o;
  o.host = std::string(cfg.get("HOST"));
  o.port = static_cast<std::uint16_t>(cfg.get_int("PORT"));
  o.threads = static_cast<unsigned>(cfg.get_int("SERVER_THREADS"));
  o.blocking_threads = static_cast<unsigned>(cfg.get_int("BLOCKING_THREADS"));
  o.max_header_bytes = cfg.get_size("MAX_HEADER_BYTES");
  o.max_connections = static_cast<std::size_t>(cfg.get_int("MAX_CONNECTIONS"));
  o.header_timeout = cfg.get_duration("HEADER_TIMEOUT");
  o.body_timeout = cfg.get_duration("BODY_TIMEOUT");
  o.idle_timeout = cfg.get_duration("KEEPALIVE_TIMEOUT");
  o.write_timeout = cfg.get_duration("WRITE_TIMEOUT");
  o.shutdown_timeout = cfg.get_duration("SHUTDOWN_TIMEOUT");
  o.tls_cert_file = std::string(cfg.get("TLS_CERT_FILE"));
  o.tls_key_file = std::string(cfg.get("TLS_KEY_FILE"));
  o.redirect_port = static_cast<std::uint16_t>(cfg.get_int("HTTP_REDIRECT_PORT"));
  return o;
}

}  // namespace bastion
