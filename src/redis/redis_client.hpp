#pragma once
// A small blocking Redis client on hiredis, shared by the Redis-backed stores (rate
// limits, sessions): redis:// URIs, one connection per thread at a time from a fixed
// pool, bounded connect and round-trip timeouts, reconnect on the next use after any
// failure, and errors as redis_errc.
//
//   unavailable  refused, closed, or the server cannot serve now (LOADING, READONLY, OOM, ...)
//   timeout      no answer within the timeout (or no free connection in the pool)
//   protocol     an answer that makes no sense, a failed AUTH or SELECT
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bastion::detail {

enum class redis_errc { unavailable = 1, timeout, protocol };
const boost::system::error_category& redis_category() noexcept;
inline boost::system::error_code make_error_code(redis_errc e) noexcept { return {static_cast<int>(e), redis_category()}; }

}  // namespace bastion::detail

template <>
struct boost::system::is_error_code_enum<bastion::detail::redis_errc> : std::true_type {};

namespace bastion::detail {

struct redis_endpoint {
  std::string host;  // a name, an IPv4 address or an IPv6 address (without brackets)
  std::uint16_t port = 6379;
  int db = 0;
  std::string username;  // empty: AUTH with the password alone (the default user)
  std::string password;  // empty: no AUTH
};

// "redis://host", "redis://host:port/db", "redis://[v6]:port", "redis://:password@host",
// "redis://user:password@host:port/db" (user and password percent-decoded). Anything else
// (no host, a bad or zero port, a path that is not a database number, a query) is malformed.
std::optional<redis_endpoint> parse_redis_uri(std::string_view uri);

using boost::system::error_code;


struct reply_deleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

inline bool starts_with(const redisReply& r, std::string_view prefix) {
  return r.str != nullptr && std::string_view(r.str, r.len).starts_with(prefix);
}

// An error reply: the server is there but cannot serve now, or the answer makes no sense.
inline redis_errc reply_errc(const redisReply& r) {
  for (std::string_view busy : {"LOADING", "BUSY", "MASTERDOWN", "READONLY", "OOM", "TRYAGAIN", "CLUSTERDOWN",
                                "NOREPLICAS", "NOQUORUM"})
    if (starts_with(r, busy)) return redis_errc::unavailable;
  return redis_errc::protocol;
}

inline bool timed_out(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == ETIMEDOUT || err == EINPROGRESS; }

// A failed hiredis call: the context's error and errno right after the call.
inline redis_errc transport_errc(const redisContext& c, int saved_errno) {
  if (c.err == REDIS_ERR_PROTOCOL) return redis_errc::protocol;
  if (c.err == REDIS_ERR_IO && (timed_out(saved_errno) || std::strstr(c.errstr, "timed out") != nullptr ||
                                std::strstr(c.errstr, "temporarily unavailable") != nullptr))
    return redis_errc::timeout;
  return redis_errc::unavailable;
}

inline timeval to_timeval(std::chrono::milliseconds ms) {
  const auto count = std::max<std::int64_t>(1, ms.count());
  return timeval{static_cast<time_t>(count / 1000), static_cast<suseconds_t>((count % 1000) * 1000)};
}

// One blocking hiredis context, used by one thread at a time.
class redis_connection {
 public:
  redis_connection() = default;
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;
  ~redis_connection() { drop(); }

  // A context to send on: the current one unless the server closed it (or sent something
  // unasked) while it sat idle, else a new one; one connection attempt at most.
  error_code ready(const redis_endpoint& ep, timeval tv) {
    if (ctx_ && closed_by_peer()) drop();
    if (ctx_) return {};
    redisContext* c = redisConnectWithTimeout(ep.host.c_str(), ep.port, tv);
    const int saved_errno = errno;
    if (c == nullptr) return redis_errc::unavailable;
    if (c->err) {
      const auto e = transport_errc(*c, saved_errno);
      redisFree(c);
      return e;
    }
    redisSetTimeout(c, tv);
    redisEnableKeepAlive(c);
    ctx_ = c;
    if (!ep.password.empty() || !ep.username.empty()) {
      auto r = ep.username.empty() ? command({"AUTH", ep.password}) : command({"AUTH", ep.username, ep.password});
      if (auto e = expect_ok(r)) return e;
    }
    if (ep.db != 0) {
      char db[16];
      const auto end = std::to_chars(db, db + sizeof db, ep.db).ptr;
      auto r = command({"SELECT", std::string_view(db, static_cast<std::size_t>(end - db))});
      if (auto e = expect_ok(r)) return e;
    }
    return {};
  }

  // Sends one command and reads its reply. On a transport failure the context is dropped
  // (the next use connects again) and the failure returned; error replies are returned as
  // replies.
  boost::system::result<reply_ptr> command(std::initializer_list<std::string_view> args) {
    const char* argv[16];
    std::size_t lens[16];
    int argc = 0;
    for (auto a : args) {
      if (argc == 16) return make_error_code(redis_errc::protocol);
      argv[argc] = a.data();
      lens[argc] = a.size();
      ++argc;
    }
    return command(argc, argv, lens);
  }

  boost::system::result<reply_ptr> command(int argc, const char** argv, const std::size_t* lens) {
    if (!ctx_) return make_error_code(redis_errc::unavailable);
    char* cmd = nullptr;
    const int len = redisFormatCommandArgv(&cmd, argc, argv, lens);
    if (len < 0) return make_error_code(redis_errc::unavailable);
    // Written here with MSG_NOSIGNAL (hiredis would write(2): SIGPIPE when the server is
    // gone); hiredis then only reads the reply.
    std::size_t sent = 0;
    while (sent < static_cast<std::size_t>(len)) {
      const auto n = ::send(ctx_->fd, cmd + sent, static_cast<std::size_t>(len) - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int saved_errno = errno;
        redisFreeCommand(cmd);
        drop();
        return make_error_code(n < 0 && timed_out(saved_errno) ? redis_errc::timeout
                                                               : redis_errc::unavailable);
      }
      sent += static_cast<std::size_t>(n);
    }
    redisFreeCommand(cmd);
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      const int saved_errno = errno;
      const auto e = transport_errc(*ctx_, saved_errno);
      if (raw) freeReplyObject(raw);
      drop();  // a late reply must never be read as the answer to the next command
      return make_error_code(e);
    }
    return reply_ptr(static_cast<redisReply*>(raw));
  }

  void drop() noexcept {
    if (ctx_) redisFree(ctx_);
    ctx_ = nullptr;
  }

 private:
  bool closed_by_peer() const {
    pollfd pfd{ctx_->fd, POLLIN | POLLRDHUP, 0};
    return ::poll(&pfd, 1, 0) != 0;  // an idle connection has nothing to read: EOF, reset or junk
  }

  error_code expect_ok(const boost::system::result<reply_ptr>& r) {
    if (!r) return r.error();
    const auto& reply = **r;
    if (reply.type == REDIS_REPLY_STATUS && starts_with(reply, "OK")) return {};
    const auto e = reply.type == REDIS_REPLY_ERROR ? reply_errc(reply) : redis_errc::protocol;
    drop();
    return e;
  }

  redisContext* ctx_ = nullptr;
};

// A fixed set of connections; a thread takes one (the most recently returned, so an idle
// pool keeps one warm connection) or waits, at most `timeout`, for one to come back.
class redis_pool {
 public:
  explicit redis_pool(std::size_t size) : size_(std::max<std::size_t>(1, size)), slots_(new redis_connection[size_]) {
    for (std::size_t i = 0; i < size_; ++i) idle_.push_back(&slots_[i]);
  }

  class lease {
   public:
    lease(redis_pool* pool, redis_connection* c) : pool_(pool), c_(c) {}
    lease(lease&& o) noexcept : pool_(o.pool_), c_(std::exchange(o.c_, nullptr)) {}
    lease& operator=(lease&&) = delete;
    ~lease() {
      if (c_) pool_->give_back(c_);
    }
    redis_connection* operator->() const { return c_; }

   private:
    redis_pool* pool_;
    redis_connection* c_;
  };

  std::optional<lease> take(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_);
    if (!cv_.wait_for(lock, timeout, [&] { return !idle_.empty(); })) return std::nullopt;
    auto* c = idle_.back();
    idle_.pop_back();
    return lease(this, c);
  }

 private:
  void give_back(redis_connection* c) {
    {
      std::lock_guard lock(m_);
      idle_.push_back(c);
    }
    cv_.notify_one();
  }

  std::size_t size_;
  std::unique_ptr<redis_connection[]> slots_;
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<redis_connection*> idle_;
};

}  // namespace bastion::detail
