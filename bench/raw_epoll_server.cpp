// raw_epoll_server: the throughput ceiling for the load benchmark.
//
// A deliberately minimal HTTP/1.1 responder on one thread and raw epoll. It does
// no routing and no real parsing: every complete request head ("\r\n\r\n") gets
// the same small JSON answer. Whatever Bastion achieves is compared against this
// number, so it must be about as cheap per request as one core allows, while still
// being a correct keep-alive server (pipelining, partial writes, EAGAIN).
//
// Usage: raw_epoll_server [port]      (default 8081; listens on 127.0.0.1 only)
// Stops cleanly on SIGINT/SIGTERM.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view kBody = R"({"status":"ok"})";
static_assert(kBody.size() == 15, "Content-Length below is hard-coded");

// Read in large chunks so a burst of pipelined requests costs one syscall.
constexpr size_t kReadChunk = 64 * 1024;
// A request head larger than this is not something a benchmark client sends.
constexpr size_t kMaxHead = 16 * 1024;
// Stop reading from a client that pipelines without reading its answers once
// this much output is queued; resume when it drains.
constexpr size_t kMaxPendingOut = 1024 * 1024;

struct Connection {
  bool open = false;
  bool peer_closed = false;   // read() returned 0: send what is queued, then close
  uint32_t interest = 0;      // the epoll event mask currently registered
  std::string partial_in;     // an incomplete request head carried to the next read
  std::string pending_out;    // what the socket did not accept yet
};

// The response, rebuilt only when the wall-clock second changes.
class CachedResponse {
 public:
  const std::string& get() {
    timespec now{};
    // The coarse clock is a vDSO read with no syscall; a second's resolution is all we need.
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec != second_) {
      second_ = now.tv_sec;
      tm utc{};
      gmtime_r(&now.tv_sec, &utc);
      char date[64];
      strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &utc);
      text_ = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\nDate: ";
      text_ += date;
      text_ += "\r\n\r\n";
      text_ += kBody;
    }
    return text_;
  }

 private:
  time_t second_ = -1;
  std::string text_;
};

// Level-triggered throughout. With edge triggering every wake-up would need an
// extra read() just to see EAGAIN; level triggering lets one short read end the
// turn, because epoll reports the socket again if anything is left. EPOLLOUT is
// only registered while output is queued, so a writable socket does not spin.
class Server {
 public:
  Server(int listen_fd, int signal_fd, int epoll_fd)
      : listen_fd_(listen_fd), signal_fd_(signal_fd), epoll_fd_(epoll_fd), read_buf_(kReadChunk) {
    out_buf_.reserve(kReadChunk * 4);
  }

  int run() {
    std::vector<epoll_event> events(512);
    for (;;) {
      int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        perror("epoll_wait");
        return 1;
      }
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == listen_fd_) {
          accept_all();
        } else if (fd == signal_fd_) {
          shutdown_all();
          return 0;
        } else {
          on_client_event(fd, events[i].events);
        }
      }
    }
  }

 private:
  void accept_all() {
    for (;;) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        // EAGAIN: backlog drained. EMFILE and the like: we are told again once
        // descriptors free up.
        if (errno != EAGAIN && errno != EWOULDBLOCK) perror("accept4");
        return;
      }
      // A batch of answers goes out in one send; Nagle would only delay the
      // tail of a batch the socket took in parts.
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

      epoll_event e{};
      e.events = EPOLLIN;
      e.data.fd = fd;
      if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &e) < 0) {
        perror("epoll_ctl");
        close(fd);
        continue;
      }
      if (static_cast<size_t>(fd) >= conns_.size()) conns_.resize(static_cast<size_t>(fd) + 64);
      Connection& c = conns_[static_cast<size_t>(fd)];
      c = Connection{};
      c.open = true;
      c.interest = EPOLLIN;
    }
  }

  void on_client_event(int fd, uint32_t ev) {
    Connection& c = conns_[static_cast<size_t>(fd)];
    if (!c.open) return;  // closed earlier in this same batch of events
    if (ev & EPOLLERR) {
      close_conn(fd);
      return;
    }
    if ((ev & EPOLLOUT) && !flush(fd, c)) return;
    if ((ev & (EPOLLIN | EPOLLHUP)) && (c.interest & EPOLLIN) && !read_and_answer(fd, c)) return;
    if (c.peer_closed && c.pending_out.empty()) {
      close_conn(fd);
      return;
    }
    update_interest(fd, c);
  }

  // Reads what is available and answers every complete request in it. Returns
  // false if the connection was closed.
  bool read_and_answer(int fd, Connection& c) {
    for (;;) {
      ssize_t n = read(fd, read_buf_.data(), read_buf_.size());
      if (n > 0) {
        if (!answer(fd, c, std::string_view(read_buf_.data(), static_cast<size_t>(n)))) return false;
        // A full buffer means more is probably waiting: read on rather than pay
        // for another epoll_wait. Otherwise the socket is drained, or epoll says
        // so again. Stop also while the client is not reading its answers.
        if (static_cast<size_t>(n) < read_buf_.size() || c.pending_out.size() >= kMaxPendingOut)
          return true;
      } else if (n == 0) {
        c.peer_closed = true;
        return true;
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return true;
      } else {
        close_conn(fd);
        return false;
      }
    }
  }

  // Counts complete request heads in what arrived (plus any carried-over
  // fragment), and sends one response per request in a single write.
  bool answer(int fd, Connection& c, std::string_view data) {
    std::string_view buf = data;
    if (!c.partial_in.empty()) {
      c.partial_in.append(data);
      buf = c.partial_in;
    }

    size_t requests = 0;
    size_t consumed = 0;
    for (;;) {
      size_t end = buf.find("\r\n\r\n", consumed);
      if (end == std::string_view::npos) break;
      consumed = end + 4;
      ++requests;
    }

    if (buf.size() - consumed > kMaxHead) {
      close_conn(fd);
      return false;
    }
    // Usually nothing is left over; the copy goes through a temporary because
    // buf may point into partial_in itself.
    c.partial_in = std::string(buf.substr(consumed));

    if (requests == 0) return true;

    const std::string& response = response_.get();
    if (!c.pending_out.empty()) {
      // Earlier answers are still queued: append so the order is kept.
      for (size_t i = 0; i < requests; ++i) c.pending_out += response;
      return true;  // EPOLLOUT will flush it
    }
    out_buf_.clear();
    for (size_t i = 0; i < requests; ++i) out_buf_ += response;
    return write_some(fd, c, out_buf_);
  }

  // Writes what the socket takes now and queues the remainder for EPOLLOUT.
  bool write_some(int fd, Connection& c, std::string_view out) {
    while (!out.empty()) {
      ssize_t n = send(fd, out.data(), out.size(), MSG_NOSIGNAL);
      if (n > 0) {
        out.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c.pending_out.append(out);
        return true;
      } else {
        close_conn(fd);
        return false;
      }
    }
    return true;
  }

  bool flush(int fd, Connection& c) {
    if (c.pending_out.empty()) return true;
    std::string pending;
    pending.swap(c.pending_out);
    return write_some(fd, c, pending);
  }

  // Wants input unless the peer is gone or ignores its answers; wants
  // writability only while something is queued.
  void update_interest(int fd, Connection& c) {
    uint32_t want = 0;
    if (!c.peer_closed && c.pending_out.size() < kMaxPendingOut) want |= EPOLLIN;
    if (!c.pending_out.empty()) want |= EPOLLOUT;
    if (want == c.interest) return;
    epoll_event e{};
    e.events = want;
    e.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &e) < 0) {
      perror("epoll_ctl");
      close_conn(fd);
      return;
    }
    c.interest = want;
  }

  void close_conn(int fd) {
    conns_[static_cast<size_t>(fd)] = Connection{};  // frees the buffers; open = false
    close(fd);                                       // also leaves the epoll set
  }

  void shutdown_all() {
    for (size_t fd = 0; fd < conns_.size(); ++fd)
      if (conns_[fd].open) close_conn(static_cast<int>(fd));
  }

  int listen_fd_;
  int signal_fd_;
  int epoll_fd_;
  std::vector<char> read_buf_;     // shared: one thread, one read at a time
  std::string out_buf_;            // shared scratch for a batch of answers
  std::vector<Connection> conns_;  // indexed by file descriptor
  CachedResponse response_;
};

int parse_port(int argc, char** argv) {
  if (argc < 2) return 8081;
  char* end = nullptr;
  errno = 0;
  long port = std::strtol(argv[1], &end, 10);
  if (errno != 0 || end == argv[1] || *end != '\0' || port < 1 || port > 65535) {
    std::fprintf(stderr, "usage: %s [port]   (1-65535, default 8081)\n", argv[0]);
    std::exit(2);
  }
  return static_cast<int>(port);
}

}  // namespace

int main(int argc, char** argv) {
  const int port = parse_port(argc, argv);

  // Benchmarks open many sockets; take whatever the hard limit allows.
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }

  // Signals arrive as readable events on a descriptor, so shutdown happens
  // between events and never interrupts a half-done write.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &mask, nullptr) < 0) {
    perror("sigprocmask");
    return 1;
  }
  int signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd < 0) {
    perror("signalfd");
    return 1;
  }

  int listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd < 0) {
    perror("socket");
    return 1;
  }
  int one = 1;
  // Lets the benchmark restart the server on the same port while old
  // connections sit in TIME_WAIT.
  setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    perror("bind");
    return 1;
  }
  if (listen(listen_fd, SOMAXCONN) < 0) {
    perror("listen");
    return 1;
  }

  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    perror("epoll_create1");
    return 1;
  }
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.fd = listen_fd;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &e);
  e.data.fd = signal_fd;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, signal_fd, &e);

  std::fprintf(stderr, "raw_epoll_server listening on 127.0.0.1:%d\n", port);
  Server server(listen_fd, signal_fd, epoll_fd);
  int rc = server.run();

  close(epoll_fd);
  close(listen_fd);
  close(signal_fd);
  if (rc == 0) std::fprintf(stderr, "raw_epoll_server stopped\n");
  return rc;
}
