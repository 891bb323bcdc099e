#include "server/worker.hpp"

#include "server/connection.hpp"

#include <bastion/log/log.hpp>

#include <boost/asio/post.hpp>

#include <ctime>
#include <sys/socket.h>

namespace bastion::detail {

namespace asio = boost::asio;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

worker::worker(server_shared& shared) : shared_(shared), acceptor_(ioc_), tick_(ioc_) { refresh_clock(); }

worker::~worker() {
  join();
  // Connections still linked hold no socket work any more; unlink them so the list
  // does not outlive them.
  connections_.clear();
}

boost::system::error_code worker::open(const asio::ip::tcp::endpoint& ep) {
  boost::system::error_code ec;
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.set_option(reuse_port(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

std::uint16_t worker::local_port() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

void worker::start() {
  thread_ = std::thread([this] {
    refresh_clock();
    do_accept();
    arm_tick();
    ioc_.run();
  });
}

void worker::stop() {
  asio::post(ioc_, [this] { begin_drain(); });
}

void worker::join() {
  if (thread_.joinable()) thread_.join();
}

void worker::add(connection& c) { connections_.push_back(c); }

template <class F>
void worker::for_each_connection(F&& f) {
  for (auto it = connections_.begin(); it != connections_.end();) {
    auto& c = static_cast<connection&>(*it++);  // f may unlink c
    f(c);
  }
}

void worker::do_accept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      // Out of descriptors or similar: log (throttled) and retry on the next tick
      // instead of spinning.
      static log::rate_limited throttle(std::chrono::seconds(10));
      std::uint64_t suppressed = 0;
      if (throttle.allow(suppressed))
        log::error("server", "accept_failed", {{"reason", ec.message()}, {"suppressed", suppressed}});
      accept_paused_ = true;
      return;
    }
    if (shared_.connections.load(std::memory_order_relaxed) >= shared_.options.max_connections) {
      static log::rate_limited throttle(std::chrono::seconds(10));
      std::uint64_t suppressed = 0;
      if (throttle.allow(suppressed))
        log::warn("server", "connection_limit_reached",
                  {{"max_connections", shared_.options.max_connections}, {"suppressed", suppressed}});
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      boost::system::error_code ignored;
      socket.set_option(asio::ip::tcp::no_delay(true), ignored);
      auto c = std::make_shared<connection>(*this, std::move(socket));
      add(*c);
      c->start();
    }
    do_accept();
  });
}

void worker::arm_tick() {
  tick_.expires_after(shared_.options.tick);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_tick();
  });
}

void worker::refresh_clock() {
  now_ = std::chrono::steady_clock::now();
  const std::time_t t = std::time(nullptr);
  if (t != date_second_) {
    date_second_ = t;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    const auto n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    date_.assign(buf, n);
  }
}

void worker::on_tick() {
  refresh_clock();
  for_each_connection([this](connection& c) { c.check_deadline(now_); });
  if (draining_) {
    if (now_ >= drain_deadline_) for_each_connection([](connection& c) { c.close(); });
    if (connections_.empty()) return;  // nothing left: let the loop end
  } else if (accept_paused_ && acceptor_.is_open()) {
    accept_paused_ = false;
    do_accept();
  }
  arm_tick();
}

void worker::begin_drain() {
  if (draining_) return;
  draining_ = true;
  refresh_clock();
  drain_deadline_ = now_ + shared_.options.shutdown_timeout;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for_each_connection([](connection& c) { c.drain(); });
  if (connections_.empty()) tick_.cancel();
}

}  // namespace bastion::detail
