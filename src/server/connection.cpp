#include "server/connection.hpp"

#include "server/response_writer.hpp"

#include <bastion/log/log.hpp>
#include <bastion/util/strings.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <cstring>

namespace bastion::detail {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

unsigned status_for(const boost::system::error_code& ec) noexcept {
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  return 400;
}

std::string peer_string(const asio::ip::tcp::socket& s) {
  boost::system::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec) return "unknown";
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6()).to_string();
  return addr.to_string();
}

constexpr std::chrono::seconds linger_time{2};

}  // namespace

connection::connection(worker& w, asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> tls,
                       bool redirect_only)
    : w_(w), socket_(std::move(socket)), tls_ctx_(std::move(tls)), redirect_only_(redirect_only) {
  if (tls_ctx_) tls_ = std::make_unique<tls_stream>(std::move(socket_), *tls_ctx_);
  const auto& o = w_.shared().options;
  in_.resize(std::max<std::size_t>(16 * 1024, o.max_header_bytes + 4096));
  out_.reserve(4096);
  w_.shared().connections.fetch_add(1, std::memory_order_relaxed);
}

connection::~connection() { w_.shared().connections.fetch_sub(1, std::memory_order_relaxed); }

void connection::start() {
  req_.set_peer(peer_string(sock()), tls_ != nullptr);
  if (redirect_only_) req_.set_redirect_listener(w_.local_port());
  if (!tls_) {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) {
      close();
      return;
    }
    begin();
    return;
  }
  // The handshake counts against the header deadline, so a silent client is closed by
  // the tick like a slow header.
  set_phase(phase::header);
  tls_->async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->phase_ == phase::closed) {
      self->close();
      return;
    }
    self->begin();
  });
}

void connection::begin() {
  set_phase(phase::idle);
  wait_readable();
}

void connection::set_phase(phase p) {
  const auto& o = w_.shared().options;
  phase_ = p;
  switch (p) {
    case phase::idle: deadline_ = w_.now() + o.idle_timeout; break;
    case phase::header: deadline_ = w_.now() + o.header_timeout; break;
    case phase::body: deadline_ = w_.now() + o.body_timeout; break;
    case phase::handling: deadline_ = std::chrono::steady_clock::time_point::max(); break;
    case phase::writing: deadline_ = w_.now() + o.write_timeout; break;
    case phase::lingering: deadline_ = w_.now() + linger_time; break;
    case phase::closed: break;
  }
}

// Waits for readability, then reads without blocking. After a response the next request
// has almost never arrived yet, so reading first (as async_read_some does) would cost
// a failed recv per request; waiting first costs nothing extra.
// Over TLS the bytes arrive decrypted through the stream's own asynchronous read.
void connection::wait_readable() {
  if (tls_) {
    if (!make_room()) return;
    tls_->async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                            if (ec || self->phase_ == phase::closed) {
                              self->close();
                              return;
                            }
                            self->on_data(n);
                          });
    return;
  }
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) { self->on_readable(ec); });
}

bool connection::make_room() {
  if (in_begin_ == in_end_) {
    in_begin_ = in_end_ = 0;
  } else if (in_end_ == in_.size() && in_begin_ > 0) {
    std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  if (in_end_ == in_.size()) {  // a header larger than the buffer; the parser's limit is lower
    refuse(431);
    return false;
  }
  return true;
}

void connection::on_readable(const boost::system::error_code& ec) {
  if (ec || phase_ == phase::closed) {
    close();
    return;
  }
  if (!make_room()) return;
  boost::system::error_code rec;
  const auto n = socket_.read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_), rec);
  if (rec == asio::error::would_block || rec == asio::error::try_again) {
    wait_readable();
    return;
  }
  if (rec) {
    close();
    return;
  }
  on_data(n);
}

void connection::on_data(std::size_t n) {
  if (phase_ == phase::lingering) {  // discard what a refused client still sends
    in_begin_ = in_end_ = 0;
    wait_readable();
    return;
  }
  in_end_ += n;
  if (phase_ == phase::idle) set_phase(phase::header);
  process();
}

void connection::process() {
  const auto& o = w_.shared().options;
  for (;;) {
    while (true) {
      if (close_after_write_ || batched_ >= o.max_pipelined) break;
      if (!parser_) {
        if (in_begin_ == in_end_) break;
        req_.reset();
        parser_.emplace(req_, w_.shared().svc, static_cast<std::uint32_t>(o.max_header_bytes));
        if (phase_ == phase::idle) set_phase(phase::header);
      }
      if (in_begin_ == in_end_) break;
      boost::system::error_code ec;
      const auto n = parser_->feed(in_.data() + in_begin_, in_end_ - in_begin_, ec);
      in_begin_ += n;
      if (ec == bhttp::error::need_more) {
        if (n == 0) break;
        continue;
      }
      if (ec) {
        refuse(status_for(ec));
        return;
      }
      if (phase_ == phase::header && parser_->is_header_done()) {
        set_phase(phase::body);
        if (!parser_->is_done() && iequals(req_.header("expect"), "100-continue")) {
          out_.append("HTTP/1.1 100 Continue\r\n\r\n");
          break;
        }
      }
      if (parser_->is_done()) {
        if (w_.shared().pool && w_.shared().svc.blocking(req_)) {
          handle_blocking();  // responses batched so far go out, in order, after this one
          return;
        }
        dispatch();
        parser_.reset();
        set_phase(phase::idle);
        if (close_after_write_ || batched_ >= o.max_pipelined) break;
      }
    }
    if (!out_.empty()) {
      if (!flush()) return;  // the rest goes out asynchronously; on_write resumes here
      if (close_after_write_) {
        linger();
        return;
      }
      continue;  // pipelined requests may still be buffered
    }
    if (close_after_write_ || (w_.draining() && !parser_)) {
      close();
      return;
    }
    wait_readable();
    return;
  }
}

void connection::dispatch() {
  res_.reset();
  w_.shared().svc.handle(req_, res_);
  respond();
}

// While the pool runs the handler, nothing on the loop touches req_ or res_: the
// connection does not read (process() returned) and its deadline is suspended. The
// post back to the loop orders the pool's writes before the loop's reads.
void connection::handle_blocking() {
  set_phase(phase::handling);
  boost::asio::post(*w_.shared().pool, [self = shared_from_this()] {
    self->res_.reset();
    self->w_.shared().svc.handle(self->req_, self->res_);
    boost::asio::post(self->w_.context(), [self] { self->resume_after_blocking(); });
  });
}

void connection::resume_after_blocking() {
  if (phase_ == phase::closed) return;  // closed by the shutdown deadline meanwhile
  respond();
  parser_.reset();
  set_phase(phase::idle);
  process();
}

void connection::respond() {
  const bool keep = parser_->keep_alive() && !w_.draining();
  append_response(out_, res_, w_.date(),
                  {.keep_alive = keep, .http10 = req_.version() == 10, .head = req_.method() == bhttp::verb::head});
  ++batched_;
  if (!keep) close_after_write_ = true;
}

void connection::refuse(unsigned status) {
  res_.reset();
  w_.shared().svc.reject(req_, res_, status);
  append_response(out_, res_, w_.date(), {.keep_alive = false, .http10 = false, .head = false});
  close_after_write_ = true;
  parser_.reset();
  in_begin_ = in_end_ = 0;
  if (flush()) linger();
}

bool connection::flush() {
  if (tls_) {  // encrypted writes go through the stream's asynchronous write
    set_phase(phase::writing);
    asio::async_write(*tls_, asio::buffer(out_), [self = shared_from_this()](const boost::system::error_code& wec, std::size_t) {
      self->on_write(wec);
    });
    return false;
  }
  // Most responses fit the socket buffer: write them now, without a round trip through
  // the event loop. Only what the kernel does not take goes out asynchronously.
  boost::system::error_code ec;
  const auto n = socket_.write_some(asio::buffer(out_), ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    close();
    return false;
  }
  if (!ec && n == out_.size()) {
    out_.clear();
    batched_ = 0;
    return true;
  }
  out_.erase(0, ec ? 0 : n);
  set_phase(phase::writing);
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this()](const boost::system::error_code& wec, std::size_t) {
                      self->on_write(wec);
                    });
  return false;
}

void connection::on_write(const boost::system::error_code& ec) {
  out_.clear();
  batched_ = 0;
  if (ec || phase_ == phase::closed) {
    close();
    return;
  }
  if (close_after_write_) {
    linger();
    return;
  }
  set_phase(!parser_ ? phase::idle : parser_->is_header_done() ? phase::body : phase::header);
  process();
}

// Half-closes and drains what the client still sends, so our last response is not lost
// to a reset when unread request bytes sit in the kernel buffer.
void connection::linger() {
  boost::system::error_code ignored;
  sock().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  set_phase(phase::lingering);
  in_begin_ = in_end_ = 0;
  wait_readable();
}

void connection::check_deadline(std::chrono::steady_clock::time_point now) {
  if (phase_ == phase::closed || now < deadline_) return;
  if (phase_ == phase::header || phase_ == phase::body) {
    static log::rate_limited throttle(std::chrono::seconds(10));
    std::uint64_t suppressed = 0;
    if (throttle.allow(suppressed))
      log::warn("server", "request_timed_out",
                {{"client", req_.peer_address()}, {"phase", phase_ == phase::header ? "header" : "body"},
                 {"suppressed", suppressed}});
  }
  close();
}

void connection::drain() {
  if (phase_ == phase::idle && !parser_ && out_.empty()) close();
}

void connection::close() {
  if (phase_ == phase::closed) return;
  phase_ = phase::closed;
  boost::system::error_code ec;
  sock().close(ec);
  unlink();
}

}  // namespace bastion::detail
