#include "support/exchange.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace bastion::testing {

boost::json::value exchange::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(res.body(), ec);
  if (ec) ADD_FAILURE() << "body is not JSON: " << res.body();
  return v;
}

std::unique_ptr<exchange> send(const app& a, http::verb method, std::string_view target, header_list headers,
                               peer_info peer, std::string_view body) {
  auto x = std::make_unique<exchange>();
  x->req.set_peer(peer.address, peer.tls);
  EXPECT_TRUE(x->req.set_start_line(method, http::to_string(method), target, 11));
  for (const auto& [n, v] : headers) x->req.add_header(n, v);
  x->req.body_buffer().assign(body);
  a.route_request(x->req);
  a.handle(x->req, x->res);
  return x;
}

}  // namespace bastion::testing
