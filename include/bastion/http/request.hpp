#pragma once
// An HTTP request as handlers see it.
//
// The server fills one request object per connection and reuses it for every request on
// that connection, so its buffers stop allocating after the first few requests. All
// string_views it hands out stay valid until the handler returns.
#include <bastion/http/cookie.hpp>
#include <bastion/http/form.hpp>

#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <typeindex>
#include <utility>
#include <vector>

namespace bastion {

namespace http = boost::beast::http;
struct route;

struct header_field {
  std::string_view name;
  std::string_view value;
};

class request {
 public:
  request();
  request(const request&) = delete;
  request& operator=(const request&) = delete;
  ~request();

  // ---- request line ----
  http::verb method() const noexcept { return method_; }
  std::string_view method_string() const noexcept;
  std::string_view target() const noexcept { return view(target_); }  // as sent
  std::string_view path() const noexcept { return path_; }             // percent-decoded
  std::string_view raw_query() const noexcept { return view(query_); } // after '?', still encoded
  unsigned version() const noexcept { return version_; }                // 10 or 11

  // ---- headers ----
  // First value of the header `name` (case-insensitive), or empty.
  std::string_view header(std::string_view name) const noexcept;
  bool has_header(std::string_view name) const noexcept;
  std::size_t header_count() const noexcept { return headers_.size(); }
  header_field header_at(std::size_t i) const noexcept;
  std::string_view body() const noexcept { return body_; }

  // ---- parsed views (parsed on first use, with limits) ----
  // Query string parameters. Fails with form_errc on malformed or over-limit input.
  const boost::system::result<form_data>& query() const;
  // application/x-www-form-urlencoded body. Fails with form_errc::wrong_content_type for
  // any other content type.
  const boost::system::result<form_data>& form() const;
  // application/json body (max depth 32). Fails when the content type is not JSON or the
  // body does not parse.
  boost::system::result<boost::json::value> json() const;
  // Cookies from the Cookie header(s); malformed pairs are skipped.
  const cookie_jar& cookies() const;

  // ---- routing ----
  // Path parameter by name ("" when absent). `{id:int}` parameters are validated digits.
  std::string_view param(std::string_view name) const noexcept;
  // Integer path parameter; only meaningful for `{name:int}` parameters.
  std::int64_t param_int(std::string_view name) const noexcept;
  const route* matched_route() const noexcept { return route_; }

  // ---- connection facts ----
  // The client address after trusted-proxy resolution (the peer address until a proxy
  // layer resolves it). This is what logs, HTTPS enforcement and rate limits use.
  std::string_view client_address() const noexcept { return client_address_; }
  // The TCP peer, never rewritten.
  std::string_view peer_address() const noexcept { return peer_address_; }
  bool is_loopback_client() const noexcept;
  // "https" when the connection is TLS, or a trusted proxy said the client used https.
  std::string_view scheme() const noexcept { return secure_ ? "https" : "http"; }
  bool is_secure() const noexcept { return secure_; }
  // The connection itself is TLS (whatever a proxy says).
  bool peer_is_secure() const noexcept { return peer_secure_; }
  // The Host header, or the host a trusted proxy forwarded (X-Forwarded-Host/-Port).
  std::string_view host() const noexcept { return host_override_ ? std::string_view(*host_override_) : header("host"); }
  // Arrived on the plain-http listener whose only job is redirecting to https.
  bool via_redirect_listener() const noexcept { return tls_port_ != 0; }
  // The server's TLS port, for requests on that listener (else 0).
  std::uint16_t tls_port() const noexcept { return tls_port_; }
  // The path prefix a trusted proxy mounts the app under (X-Forwarded-Prefix), or "".
  std::string_view script_root() const noexcept { return script_root_; }
  std::string_view request_id() const noexcept { return request_id_; }
  bool wants_json() const noexcept;  // /api/ path or Accept: application/json
  // ---- Content Security Policy ----
  // This response's CSP nonce: 128 bits from a CSPRNG, base64, made on first use. Put it
  // in `<script nonce="...">` and `<style nonce="...">`; the security headers layer adds
  // it to script-src and style-src only for responses that asked for it.
  std::string_view csp_nonce();
  bool csp_nonce_used() const noexcept { return !csp_nonce_.empty(); }

  // ---- per-request state for middleware (session, user, nonce, ...) ----
  template <class T>
  T* get() const noexcept {
    for (auto& s : state_)
      if (s.type == std::type_index(typeid(T))) return static_cast<T*>(s.ptr.get());
    return nullptr;
  }
  template <class T, class... Args>
  T& emplace(Args&&... args) {
    auto p = std::make_unique<T>(std::forward<Args>(args)...);
    T& ref = *p;
    state_.push_back({std::type_index(typeid(T)),
                      std::unique_ptr<void, void (*)(void*)>(p.release(), [](void* q) { delete static_cast<T*>(q); })});
    return ref;
  }

  // ---- filled by the server (and by tests) ----
  void reset();
  // Returns false when the target is not a valid origin-form (the server answers 400).
  bool set_start_line(http::verb method, std::string_view method_string, std::string_view target,
                      unsigned version);
  void add_header(std::string_view name, std::string_view value);
  std::string& body_buffer() noexcept { return body_; }
  void set_peer(std::string_view address, bool secure);
  void set_client_address(std::string_view address) { client_address_.assign(address); }
  void set_secure(bool secure) noexcept { secure_ = secure; }
  void set_redirect_listener(std::uint16_t tls_port) noexcept { tls_port_ = tls_port; }
  void set_host(std::string_view host) { host_override_.emplace(host); }
  void set_script_root(std::string_view prefix) { script_root_.assign(prefix); }
  void set_request_id(std::string_view id) { request_id_.assign(id); }
  void set_route(const route* r) noexcept { route_ = r; }
  void add_param(std::string_view name, std::string_view value);
  void set_limits(const form_limits& limits) noexcept { form_limits_ = limits; }

 private:
  struct span_ref {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  struct stored_header {
    span_ref name, value;
  };
  struct state_slot {
    std::type_index type;
    std::unique_ptr<void, void (*)(void*)> ptr;
  };
  std::string_view view(span_ref r) const noexcept { return {arena_.data() + r.offset, r.size}; }
  span_ref store(std::string_view s);

  std::string arena_;  // request target and header bytes, referenced by offset
  std::vector<stored_header> headers_;
  std::vector<std::pair<span_ref, span_ref>> params_;
  std::string path_;
  std::string body_;
  span_ref target_, query_, method_string_;
  http::verb method_ = http::verb::unknown;
  unsigned version_ = 11;
  const route* route_ = nullptr;
  std::string peer_address_, client_address_, request_id_;
  bool secure_ = false, peer_secure_ = false;
  std::uint16_t tls_port_ = 0;
  std::optional<std::string> host_override_;
  std::string script_root_;
  std::string csp_nonce_;
  form_limits form_limits_;
  std::vector<state_slot> state_;
  mutable std::optional<boost::system::result<form_data>> query_cache_, form_cache_;
  mutable std::optional<cookie_jar> cookie_cache_;
};

}  // namespace bastion
