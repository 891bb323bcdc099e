#pragma once
// Runs an app on 127.0.0.1 with an ephemeral port inside the test process.
#include <bastion/app/app.hpp>
#include <bastion/server/server.hpp>

#include <map>
#include <memory>
#include <string>

namespace bastion::testing {

// A testing-environment configuration from explicit values (never the real environment).
config test_config(std::map<std::string, std::string> values = {});

class test_server {
 public:
  // Freezes `app` and serves it with `options` (port forced to 0).
  test_server(app& a, server_options options = {});
  ~test_server();
  std::uint16_t port() const noexcept { return server_->port(); }
  // Graceful stop (as on SIGTERM), then waits for every loop to end. Idempotent.
  void stop_and_wait();
  server& get() noexcept { return *server_; }

 private:
  std::unique_ptr<server> server_;
};

}  // namespace bastion::testing
