// The server's HTTP/1.1 request parsing: detail::request_parser (Beast's basic_parser
// feeding bastion::request) driven the way connection::process() drives it.
//
// The input is a byte stream from a client. It is fed three times: all at once, one byte
// at a time, and in pseudo-random 1..64-byte chunks derived from the input. Each feed
// keeps the unconsumed bytes, calls feed() on all of them, makes a new parser (and resets
// the request) after each complete message, stops after a message without keep-alive,
// and stops at the first error, as the server does. Checked: feed() never claims more
// bytes than it was given and always makes progress when it reports no error; bodies
// stay within the route's limit; the partly filled request of a refused message is still
// safe to read (the server passes it to reject()); and, since TCP may split a stream
// anywhere, all three feeds dispatch exactly the same messages.
//
// The way a feed ends may differ, by Beast's design: once a header is incomplete Beast
// only rescans for the blank line that ends it, so a malformed header (say, bare LF line
// endings) split across reads waits for more bytes, or runs into the header limit,
// where the same bytes read at once fail at once. Either way that message is never
// dispatched, so an error may stand against a pending header or a header-limit error;
// any other difference in how the feeds end is a failure.
#include "fuzz_check.hpp"

#include "server/request_parser.hpp"

#include <bastion/http/request.hpp>
#include <bastion/server/service.hpp>

#include <boost/asio/buffer.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>


namespace {

namespace bhttp = boost::beast::http;

constexpr std::uint32_t header_limit = 8 * 1024;  // the server's default max_header_bytes
constexpr std::size_t body_limit = 1 << 20;
constexpr std::size_t small_body_limit = 16;      // under /small, so 413 is reachable by short inputs

class fake_service final : public bastion::service {
 public:
  std::size_t route_request(bastion::request& req) const override {
    return req.path().starts_with("/small") ? small_body_limit : body_limit;
  }
  void handle(bastion::request&, bastion::response&) const override {}
  void reject(bastion::request&, bastion::response&, unsigned) const override {}
};

class connection {
 public:
  explicit connection(const fake_service& svc) : svc_(svc) { req_.set_peer("192.0.2.1", false); }

  void receive(std::string_view bytes) {
    if (stopped_) return;
    in_.append(bytes);
    process();
  }

  // The messages dispatched, for comparing feeds.
  const std::string& messages() const { return log_; }
  // How the feed ended: "error ...", "closed", "idle" or "incomplete ...".
  std::string outcome() const {
    if (stopped_) return outcome_;
    return parser_ ? (parser_->is_header_done() ? "incomplete body" : "incomplete header") : "idle";
  }

 private:
  void process() {
    while (!stopped_) {
      if (!parser_) {
        if (begin_ == in_.size()) break;
        req_.reset();
        parser_.emplace(req_, svc_, header_limit);
      }
      if (begin_ == in_.size()) break;
      boost::system::error_code ec;
      const auto available = in_.size() - begin_;
      const auto n = parser_->feed(in_.data() + begin_, available, ec);
      FUZZ_CHECK(n <= available);
      begin_ += n;
      if (ec == bhttp::error::need_more) {
        if (n == 0) break;
        continue;
      }
      if (ec) {
        refuse(ec);
        return;
      }
      // No error and nothing consumed would spin the server's loop forever.
      FUZZ_CHECK(n > 0 || parser_->is_done());
      if (parser_->is_done()) dispatch();
    }
  }

  void dispatch() {
    FUZZ_CHECK(req_.body().size() <= (req_.path().starts_with("/small") ? small_body_limit : body_limit));
    log_ += std::string(req_.method_string()) + ' ' + std::string(req_.target()) + ' ' +
            std::to_string(req_.version()) + '\n';
    for (std::size_t i = 0; i < req_.header_count(); ++i) {
      const auto h = req_.header_at(i);
      log_ += std::string(h.name) + ": " + std::string(h.value) + '\n';
    }
    log_ += "body " + std::to_string(req_.body().size()) + ' ' + std::string(req_.body()) + '\n';
    // What handlers typically look at.
    (void)req_.query();
    (void)req_.form();
    (void)req_.cookies();
    (void)req_.json();
    (void)req_.wants_json();
    const bool keep = parser_->keep_alive();
    log_ += keep ? "keep-alive\n" : "close\n";
    parser_.reset();
    if (!keep) {
      stopped_ = true;
      outcome_ = "closed";
    }
  }

  void refuse(const boost::system::error_code& ec) {
    outcome_ = "error " + ec.message();
    // reject() may look at whatever part of the request arrived.
    (void)req_.path();
    (void)req_.target();
    (void)req_.method_string();
    (void)req_.wants_json();
    (void)req_.header("accept");
    parser_.reset();
    stopped_ = true;
  }

  const fake_service& svc_;
  bastion::request req_;
  std::optional<bastion::detail::request_parser> parser_;
  std::string in_, log_, outcome_;
  std::size_t begin_ = 0;
  bool stopped_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const fake_service svc;

  const auto same_end = [](const std::string& a, const std::string& b) {
    if (a == b) return true;
    const auto header_limit_error = "error " + boost::system::error_code(bhttp::error::header_limit).message();
    const auto header_pending = [&](const std::string& s) { return s == "incomplete header" || s == header_limit_error; };
    return (a.starts_with("error ") && header_pending(b)) || (b.starts_with("error ") && header_pending(a));
  };

  connection whole(svc);
  whole.receive(input);

  connection bytewise(svc);
  for (char c : input) bytewise.receive(std::string_view(&c, 1));
  FUZZ_CHECK(bytewise.messages() == whole.messages());
  FUZZ_CHECK(same_end(bytewise.outcome(), whole.outcome()));

  // Chunk sizes from an FNV-1a hash of the input: deterministic, yet they change with it.
  std::uint64_t state = 14695981039346656037ull;
  for (unsigned char c : input) state = (state ^ c) * 1099511628211ull;
  connection chunked(svc);
  for (std::size_t pos = 0; pos < input.size();) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    const auto n = std::min<std::size_t>(1 + state % 64, input.size() - pos);
    chunked.receive(input.substr(pos, n));
    pos += n;
  }
  FUZZ_CHECK(chunked.messages() == whole.messages());
  FUZZ_CHECK(same_end(chunked.outcome(), whole.outcome()));
  return 0;
}
