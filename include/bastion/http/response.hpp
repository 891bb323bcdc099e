#pragma once
// An HTTP response under construction. Handlers and middleware write into the one
// response object the connection owns (the Go `ResponseWriter` shape), which keeps its
// buffers from request to request.
#include <bastion/http/cookie.hpp>

#include <boost/beast/http/status.hpp>
#include <boost/json/fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

namespace http = boost::beast::http;

class response {
 public:
  response() { buf_.reserve(512); headers_.reserve(16); }

  unsigned status() const noexcept { return status_; }
  void status(unsigned code) noexcept { status_ = code; }
  void status(http::status code) noexcept { status_ = static_cast<unsigned>(code); }

  // ---- headers: the policy is in the name ----
  // A name that is not a token or a value with CR, LF or NUL throws
  // std::invalid_argument (a 500 through the error layer), so user input placed in a
  // header can never split the response.
  void set_header(std::string_view name, std::string_view value);            // replace all
  void add_header(std::string_view name, std::string_view value);            // append (Set-Cookie, Vary)
  bool set_header_if_absent(std::string_view name, std::string_view value);  // keep a handler's choice
  void erase_header(std::string_view name);
  std::string_view header(std::string_view name) const noexcept;  // first value or ""
  bool has_header(std::string_view name) const noexcept;
  template <class F>
  void for_each_header(F&& f) const {
    for (const auto& h : headers_)
      if (h.alive) f(std::string_view(buf_.data() + h.offset, h.name_size),
                     std::string_view(buf_.data() + h.offset + h.name_size, h.value_size));
  }

  // ---- body ----
  std::string& body() noexcept { return body_; }
  const std::string& body() const noexcept { return body_; }

  // Sets the body and its Content-Type.
  void text(std::string_view body, std::string_view content_type = "text/plain; charset=utf-8");
  void html(std::string_view body) { text(body, "text/html; charset=utf-8"); }
  void json(const boost::json::value& v);
  void json_raw(std::string_view serialized) { text(serialized, "application/json"); }

  // Redirects to a same-site relative path (see safe_redirect_target). Anything else
  // (absolute URLs, "//host", "/\host", control characters) redirects to `fallback`.
  void redirect(std::string_view location, unsigned code = 302, std::string_view fallback = "/");

  // Adds a Set-Cookie header. Throws std::invalid_argument for a cookie that violates
  // its own rules (a programming error, caught by the error layer as a 500).
  void set_cookie(const bastion::set_cookie& cookie);

  // True once the handler has chosen not to send a body (HEAD, 204, 304).
  bool suppress_body = false;

  void reset();

 private:
  struct entry {
    std::uint32_t offset;
    std::uint32_t name_size;
    std::uint32_t value_size;
    bool alive;
  };
  std::string buf_;  // header names and values back to back
  std::vector<entry> headers_;
  std::string body_;
  unsigned status_ = 200;
};

// True when `target` is a same-site relative path that is safe to redirect to: it starts
// with a single '/', is not "//" or "/\", and has no control characters or backslashes.
bool is_safe_redirect_target(std::string_view target) noexcept;

}  // namespace bastion
