#include "support/loopback_socket.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bastion::testing {

loopback_socket::loopback_socket(bool listening) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 || (listening && ::listen(fd_, 16) != 0))
    ADD_FAILURE() << "could not set up a loopback socket";
  port_ = ntohs(addr.sin_port);
}

void loopback_socket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::uint16_t free_loopback_port() {
  loopback_socket s(false);
  return static_cast<std::uint16_t>(s.port());
}

}  // namespace bastion::testing
