#pragma once
// One event loop on one thread: its own io_context, its own SO_REUSEPORT listening
// socket, its connections, and one periodic tick that enforces every timeout of every
// connection and refreshes the cached Date header.
#include <bastion/server/server_options.hpp>
#include <bastion/server/service.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/intrusive/list.hpp>

#include "server/tls_context.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace bastion::detail {

class connection;
// A connection's link in its worker's list; unlinks itself when the connection dies.
struct connection_node
    : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {};

struct server_shared {
  const service& svc;
  server_options options;
  std::atomic<std::size_t> connections{0};
  boost::asio::thread_pool* pool = nullptr;  // for blocking routes; null = none
  tls_store* tls = nullptr;                  // null = plain http
};

class worker {
 public:
  explicit worker(server_shared& shared);
  // Opens this loop's listening socket (SO_REUSEPORT, so every loop binds the same port).
  boost::system::error_code open(const boost::asio::ip::tcp::endpoint& ep);
  // Opens the plain-http listener whose connections only get https redirects.
  boost::system::error_code open_redirect(const boost::asio::ip::tcp::endpoint& ep);
  std::uint16_t local_port() const;
  std::uint16_t redirect_port() const;
  ~worker();

  void start();           // runs the loop on a new thread
  void stop();            // thread-safe: begins the graceful drain
  void join();

  boost::asio::io_context& context() noexcept { return ioc_; }
  server_shared& shared() noexcept { return shared_; }
  std::chrono::steady_clock::time_point now() const noexcept { return now_; }
  std::string_view date() const noexcept { return date_; }
  bool draining() const noexcept { return draining_; }
  void add(connection& c);

 private:
  void do_accept(boost::asio::ip::tcp::acceptor& acceptor, bool redirect_only);
  void on_tick();
  void arm_tick();
  void begin_drain();
  template <class F>
  void for_each_connection(F&& f);
  void refresh_clock();

  server_shared& shared_;
  // One thread per loop; only posts (stop) come from outside, so the reactor needs no locks.
  boost::asio::io_context ioc_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::acceptor redirect_acceptor_;
  boost::asio::steady_timer tick_;
  boost::intrusive::list<connection_node, boost::intrusive::constant_time_size<false>> connections_;
  std::chrono::steady_clock::time_point now_;
  std::chrono::steady_clock::time_point drain_deadline_;
  std::time_t date_second_ = 0;
  std::string date_;
  bool draining_ = false;
  bool accept_paused_ = false, redirect_paused_ = false;
  std::thread thread_;
};

}  // namespace bastion::detail
