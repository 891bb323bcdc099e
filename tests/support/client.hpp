#pragma once
// A deliberately dumb blocking HTTP client for tests: it sends exact bytes (so tests can
// send malformed, partial or pipelined requests) and reads with a deadline.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bastion::testing {

struct parsed_response {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; last value wins
  std::vector<std::pair<std::string, std::string>> all_headers;
  std::string body;
  std::string header(std::string_view name) const;
  bool has(std::string_view name) const;
};

class raw_client {
 public:
  explicit raw_client(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~raw_client();
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  bool connected() const noexcept { return fd_ >= 0; }
  bool send(std::string_view bytes);
  // Reads one response (headers + Content-Length body). nullopt on timeout or close.
  std::optional<parsed_response> read_response(bool head_request = false);
  // True when the server closed the connection (EOF or reset) before `within`.
  bool closed_by_peer(std::chrono::milliseconds within = std::chrono::seconds(3));
  // Reads whatever arrives until close or timeout.
  std::string read_all();

 private:
  bool fill();  // reads more into buf_; false on EOF/timeout/error
  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buf_;
};

// One GET/POST on a fresh connection with Connection: close.
std::optional<parsed_response> request(std::uint16_t port, std::string_view method, std::string_view target,
                                       std::string_view body = {},
                                       std::vector<std::pair<std::string, std::string>> headers = {});

}  // namespace bastion::testing
