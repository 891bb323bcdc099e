#pragma once
// A cookie-keeping client over testing::send: what a browser would send back, for tests
// of sessions, login and CSRF in-process.
#include "support/exchange.hpp"

#include <map>
#include <string>

namespace bastion::testing {

class browser {
 public:
  explicit browser(const app& a, peer_info peer = {}) : app_(a), peer_(peer) {}

  // Sends the jar's cookies (and Host: app.test unless given), then keeps the response's
  // Set-Cookie changes.
  std::unique_ptr<exchange> send(http::verb method, std::string_view target, header_list headers = {},
                                 std::string_view body = {});
  // A urlencoded form POST.
  std::unique_ptr<exchange> post_form(std::string_view target, std::string_view body, header_list headers = {});

  std::map<std::string, std::string> cookies;

 private:
  const app& app_;
  peer_info peer_;
};

}  // namespace bastion::testing
