#pragma once
// One HTTP/1.1 connection: reads into a fixed buffer, parses with Beast, handles each
// complete request synchronously, batches the responses of pipelined requests into one
// write, and keeps a single deadline that the worker's tick enforces.
#include <bastion/http/request.hpp>
#include <bastion/http/response.hpp>

#include "server/request_parser.hpp"
#include "server/worker.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bastion::detail {

class connection : public std::enable_shared_from_this<connection>, public connection_node {
 public:
  // With `tls`, the connection does a TLS handshake first and speaks TLS throughout.
  // With `redirect_only`, every request is answered by the app's https redirect.
  connection(worker& w, boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls = {},
             bool redirect_only = false);
  ~connection();

  void start();
  // Called by the worker's tick; closes the connection when its deadline has passed.
  void check_deadline(std::chrono::steady_clock::time_point now);
  // Called when the server drains: idle connections close now, busy ones after their
  // current response.
  void drain();
  void close();

 private:
  enum class phase { idle, header, body, handling, writing, lingering, closed };

  using tls_stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  boost::asio::ip::tcp::socket& sock() noexcept { return tls_ ? tls_->next_layer() : socket_; }
  void begin();
  void wait_readable();
  void on_readable(const boost::system::error_code& ec);
  bool make_room();  // false when the buffer is full of one header (refused with 431)
  void on_data(std::size_t n);
  void process();
  void dispatch();
  void respond();           // serialises res_ for req_ into out_
  void handle_blocking();   // runs the handler on the pool, then resumes on the loop
  void resume_after_blocking();
  void refuse(unsigned status);
  bool flush();  // true when everything was written synchronously
  void on_write(const boost::system::error_code& ec);
  void linger();
  void set_phase(phase p);

  worker& w_;
  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<boost::asio::ssl::context> tls_ctx_;  // kept alive for this connection
  std::unique_ptr<tls_stream> tls_;
  bool redirect_only_ = false;
  std::vector<char> in_;
  std::size_t in_begin_ = 0, in_end_ = 0;
  std::optional<request_parser> parser_;
  request req_;
  response res_;
  std::string out_;
  std::size_t batched_ = 0;
  phase phase_ = phase::idle;
  std::chrono::steady_clock::time_point deadline_;
  bool close_after_write_ = false;
};

}  // namespace bastion::detail
