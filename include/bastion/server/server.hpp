#pragma once
// The HTTP/1.1 server: one event loop per thread, each with its own SO_REUSEPORT
// listening socket, Beast's parser, one coarse timer per loop for
// every timeout, responses serialised into one contiguous buffer per connection;
// optionally TLS (OpenSSL through Asio) and a plain-http listener that only redirects.
#include <bastion/server/server_options.hpp>
#include <bastion/server/service.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace bastion {

class server {
 public:
  server(const service& svc, server_options options);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds and listens. Fails when the address is in use or invalid.
  boost::system::result<void> listen();
  // The bound port (useful with port 0).
  std::uint16_t port() const noexcept;
  // The bound port of the https-redirect listener (0 = none).
  std::uint16_t redirect_port() const noexcept;
  // Loads TLS_CERT_FILE/TLS_KEY_FILE again (SIGHUP does this). New connections use the
  // new certificate, open ones keep theirs. On failure the old one stays; returns why.
  std::string reload_tls();

  // Starts the event loops on their threads; returns at once.
  void start();
  // Graceful stop: stop accepting, close idle connections, let in-flight requests
  // finish up to shutdown_timeout, then close the rest. Thread-safe, idempotent.
  void stop();
  // Blocks until every loop has ended.
  void wait();
  // start(), then stop() on SIGTERM or SIGINT (SIGHUP reloads TLS), then wait(). Returns 0.
  int run_until_signal();

  // Event loops (threads) serving.
  unsigned threads() const noexcept;
  // Connections currently open (all loops).
  std::size_t connection_count() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace bastion
