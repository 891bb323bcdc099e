#include "support/test_server.hpp"

#include <stdexcept>

namespace bastion::testing {

config test_config(std::map<std::string, std::string> values) {
  values.try_emplace("APP_ENV", "testing");
  values.try_emplace("ACCESS_LOG", "false");
  // Tests of routing, limits and the server post without tokens, as Django's test client
  // does by default; the tests of CSRF, sessions and login turn it back on.
  values.try_emplace("CSRF_ENABLED", "false");
  config_sources sources;
  sources.getenv = [values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
  return load_config({}, sources);
}

test_server::test_server(app& a, server_options options) {
  a.freeze();
  options.host = "127.0.0.1";
  options.port = 0;
  if (options.threads == 0) options.threads = 2;
  server_ = std::make_unique<server>(a, options);
  if (auto r = server_->listen(); !r) throw std::runtime_error("listen failed: " + r.error().message());
  server_->start();
}

void test_server::stop_and_wait() {
  server_->stop();
  server_->wait();
}

test_server::~test_server() { stop_and_wait(); }

}  // namespace bastion::testing
