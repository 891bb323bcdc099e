#include "server/worker.hpp"

#include "server/connection.hpp"

#include <bastion/log/log.hpp>

#include <boost/asio/post.hpp>

#include <ctime>
#include <sys/socket.h>

namespace bastion::detail {

namespace asio = boost::asio;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

worker::worker(server_shared& shared) : shared_(shared), acceptor_(ioc_), redirect_acceptor_(ioc_), tick_(ioc_) {
  refresh_clock();
}

worker::~worker() {
  join();
  // Connections still linked hold no socket work any more; unlink them so the list
  // does not outlive them.
  connections_.clear();
}

namespace {

boost::system::error_code open_acceptor(asio::ip::tcp::acceptor& a, const asio::ip::tcp::endpoint& ep) {
  boost::system::error_code ec;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.set_option(reuse_port(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

}  // namespace

boost::system::error_code worker::open(const asio::ip::tcp::endpoint& ep) { return open_acceptor(acceptor_, ep); }

boost::system::error_code worker::open_redirect(const asio::ip::tcp::endpoint& ep) {
  return open_acceptor(redirect_acceptor_, ep);
}

std::uint16_t worker::local_port() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

std::uint16_t worker::redirect_port() const {
  boost::system::error_code ec;
  return redirect_acceptor_.is_open() ? redirect_acceptor_.local_endpoint(ec).port() : 0;
}

void worker::start() {
  thread_ = std::thread([this] {
    refresh_clock();
    do_accept(acceptor_, false);
    if (redirect_acceptor_.is_open()) do_accept(redirect_acceptor_, true);
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

void worker::do_accept(asio::ip::tcp::acceptor& acceptor, bool redirect_only) {
  acceptor.async_accept([this, &acceptor, redirect_only](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      // Out of descriptors or similar: log (throttled) and retry on the next tick
      // instead of spinning.
      static log::rate_limited throttle(std::chrono::seconds(10));
      std::uint64_t suppressed = 0;
      if (throttle.allow(suppressed))
        log::error("server", "accept_failed", {{"reason", ec.message()}, {"suppressed", suppressed}});
      (redirect_only ? redirect_paused_ : accept_paused_) = true;
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
      auto tls = redirect_only || !shared_.tls ? nullptr : shared_.tls->current();
      auto c = std::make_shared<connection>(*this, std::move(socket), std::move(tls), redirect_only);
      add(*c);
      c->start();
    }
    do_accept(acceptor, redirect_only);
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
  } else {
    if (accept_paused_ && acceptor_.is_open()) {
      accept_paused_ = false;
      do_accept(acceptor_, false);
    }
    if (redirect_paused_ && redirect_acceptor_.is_open()) {
      redirect_paused_ = false;
      do_accept(redirect_acceptor_, true);
    }
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
  redirect_acceptor_.close(ignored);
  for_each_connection([](connection& c) { c.drain(); });
  if (connections_.empty()) tick_.cancel();
}

}  // namespace bastion::detail
