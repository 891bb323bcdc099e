#pragma once
// A TCP socket on 127.0.0.1 bound to a free port; listening or not, it never accepts.
// Tests use it for "nothing listens here" (not listening: connections are refused) and
// "a server that never answers" (listening: the kernel completes handshakes, nobody reads).
#include <cstdint>

namespace bastion::testing {

class loopback_socket {
 public:
  explicit loopback_socket(bool listening);
  ~loopback_socket() { close(); }
  loopback_socket(const loopback_socket&) = delete;
  loopback_socket& operator=(const loopback_socket&) = delete;

  void close();
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A loopback port nothing listens on right now (bound, then released).
std::uint16_t free_loopback_port();

}  // namespace bastion::testing
