#pragma once
// One request through an app in-process, the way the server drives it (route, then
// handle), without sockets: for tests of layers and handlers.
#include <bastion/app/app.hpp>

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bastion::testing {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct exchange {
  bastion::request req;
  bastion::response res;
  boost::json::value json() const;  // the body as JSON (a test failure when it is not)
};

struct peer_info {
  std::string_view address = "203.0.113.5";
  bool tls = false;
};

// The app must be frozen.
std::unique_ptr<exchange> send(const app& a, http::verb method, std::string_view target, header_list headers = {},
                               peer_info peer = {}, std::string_view body = {});

}  // namespace bastion::testing
