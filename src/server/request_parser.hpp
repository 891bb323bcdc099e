#pragma once
// Beast's HTTP/1.1 parser feeding our reusable request object directly: fields are
// copied once into the request's arena, the body is appended to its buffer, and the
// route (hence the body limit) is chosen as soon as the request line is known.
#include <bastion/http/request.hpp>
#include <bastion/server/service.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace bastion::detail {

class request_parser final : public boost::beast::http::basic_parser<true> {
 public:
  request_parser(request& req, const service& svc, std::uint32_t max_header_bytes)
      : req_(req), svc_(svc), max_header_(max_header_bytes) {
    header_limit(max_header_bytes);
  }

  // Feeds the next bytes of the connection. Use this, not put(): Beast applies its
  // header limit to each put() call on its own and consumes complete header lines as
  // they arrive, so a header trickled over many reads would otherwise never hit the
  // limit; and within one call it counts the request line and the fields separately.
  // Here the limit covers the whole header block, however it arrives.
  std::size_t feed(const char* data, std::size_t size, boost::beast::error_code& ec) {
    const bool in_header = !is_header_done();
    if (in_header) {
      if (header_seen_ >= max_header_) {
        ec = boost::beast::http::error::header_limit;
        return 0;
      }
      header_limit(max_header_ - header_seen_);
    }
    const auto n = put(boost::asio::buffer(data, size), ec);
    if (in_header) {
      header_seen_ += static_cast<std::uint32_t>(n);
      // Beast also applies its limit to the request line and the fields separately;
      // the sum is what we promise.
      if (header_seen_ > max_header_ && (!ec || ec == boost::beast::http::error::need_more))
        ec = boost::beast::http::error::header_limit;
    }
    return n;
  }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  using verb = boost::beast::http::verb;
  using field = boost::beast::http::field;

  void on_request_impl(verb method, string_view method_str, string_view target, int version,
                       error_code& ec) override {
    if (!req_.set_start_line(method, {method_str.data(), method_str.size()}, {target.data(), target.size()},
                            static_cast<unsigned>(version))) {
      ec = boost::beast::http::error::bad_target;
      return;
    }
    body_limit(svc_.route_request(req_));
  }
  void on_response_impl(int, string_view, int, error_code& ec) override {
    ec = boost::beast::http::error::bad_method;  // never a response on the server side
  }
  void on_field_impl(field f, string_view name, string_view value, error_code&) override {
    // Fields after the header block are chunked trailers: never merged into the headers
    // (RFC 9110 section 6.5.1), so a trailer cannot supply a Cookie or Authorization.
    if (header_complete_) return;
    if (f == field::host) ++hosts_;
    req_.add_header({name.data(), name.size()}, {value.data(), value.size()});
  }
  void on_header_impl(error_code& ec) override {
    header_complete_ = true;
    // HTTP/1.1 requires exactly one Host (RFC 9112 section 3.2); two disagreeing ones
    // are how requests get routed past host checks.
    if (hosts_ > 1 || (hosts_ == 0 && req_.version() >= 11)) ec = boost::beast::http::error::bad_value;
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) req_.body_buffer().reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(string_view body, error_code&) override {
    req_.body_buffer().append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    req_.body_buffer().append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  request& req_;
  const service& svc_;
  std::uint32_t max_header_;
  std::uint32_t header_seen_ = 0;
  bool header_complete_ = false;
  unsigned hosts_ = 0;
};

}  // namespace bastion::detail
