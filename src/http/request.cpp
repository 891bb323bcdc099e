#include <bastion/http/request.hpp>

#include <bastion/util/random.hpp>
#include <bastion/util/strings.hpp>

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <openssl/evp.h>

#include <charconv>

namespace bastion {

request::request() {
  arena_.reserve(8 * 1024 + 512);
  headers_.reserve(32);
}

request::~request() = default;

void request::reset() {
  arena_.clear();
  headers_.clear();
  params_.clear();
  path_.clear();
  body_.clear();
  target_ = query_ = method_string_ = {};
  method_ = http::verb::unknown;
  version_ = 11;
  route_ = nullptr;
  request_id_.clear();
  state_.clear();
  query_cache_.reset();
  form_cache_.reset();
  cookie_cache_.reset();
  client_address_ = peer_address_;
  secure_ = peer_secure_;
  host_override_.reset();
  script_root_.clear();
  csp_nonce_.clear();
}

request::span_ref request::store(std::string_view s) {
  span_ref r{static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(s.size())};
  arena_.append(s);
  return r;
}

std::string_view request::method_string() const noexcept {
  if (method_ != http::verb::unknown) return http::to_string(method_);
  return view(method_string_);
}

bool request::set_start_line(http::verb method, std::string_view method_string, std::string_view target,
                             unsigned version) {
  method_ = method;
  version_ = version;
  if (method == http::verb::unknown) method_string_ = store(method_string);
  target_ = store(target);
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return false;
  const auto encoded_path = parsed->encoded_path();
  if (encoded_path.find('%') == std::string_view::npos) {
    path_.assign(encoded_path.data(), encoded_path.size());
  } else {
    path_.clear();
    encoded_path.decode({}, boost::urls::string_token::assign_to(path_));
    if (path_.find('\0') != std::string::npos) return false;
  }
  if (parsed->has_query()) {
    const auto q = parsed->encoded_query();
    const auto offset = static_cast<std::uint32_t>(q.data() - target.data());
    query_ = {target_.offset + offset, static_cast<std::uint32_t>(q.size())};
  }
  return true;
}

void request::add_header(std::string_view name, std::string_view value) {
  const auto n = store(name);
  const auto v = store(value);
  headers_.push_back({n, v});
}

void request::add_param(std::string_view name, std::string_view value) {
  const auto n = store(name);
  const auto v = store(value);
  params_.emplace_back(n, v);
}

void request::set_peer(std::string_view address, bool secure) {
  peer_address_.assign(address);
  client_address_.assign(address);
  secure_ = peer_secure_ = secure;
}

std::string_view request::header(std::string_view name) const noexcept {
  for (const auto& h : headers_)
    if (iequals(view(h.name), name)) return view(h.value);
  return {};
}

bool request::has_header(std::string_view name) const noexcept {
  for (const auto& h : headers_)
    if (iequals(view(h.name), name)) return true;
  return false;
}

header_field request::header_at(std::size_t i) const noexcept {
  return {view(headers_[i].name), view(headers_[i].value)};
}

std::string_view request::param(std::string_view name) const noexcept {
  for (const auto& [n, v] : params_)
    if (view(n) == name) return view(v);
  return {};
}

std::int64_t request::param_int(std::string_view name) const noexcept {
  const auto s = param(name);
  std::int64_t out = 0;
  std::from_chars(s.data(), s.data() + s.size(), out);
  return out;
}

bool request::is_loopback_client() const noexcept {
  const auto a = client_address();
  return a.starts_with("127.") || a == "::1" || a.starts_with("::ffff:127.");
}

bool request::wants_json() const noexcept {
  if (path_.starts_with("/api/") || path_ == "/api") return true;
  return icontains(header("accept"), "application/json");
}

const boost::system::result<form_data>& request::query() const {
  if (!query_cache_) query_cache_.emplace(parse_urlencoded(raw_query(), form_limits_));
  return *query_cache_;
}

const boost::system::result<form_data>& request::form() const {
  if (!form_cache_) {
    const auto type = header("content-type");
    if (!iequals(trim_ows(type.substr(0, type.find(';'))), "application/x-www-form-urlencoded"))
      form_cache_.emplace(make_error_code(form_errc::wrong_content_type));
    else
      form_cache_.emplace(parse_urlencoded(body_, form_limits_));
  }
  return *form_cache_;
}

boost::system::result<boost::json::value> request::json() const {
  const auto type = trim_ows(header("content-type").substr(0, header("content-type").find(';')));
  if (!iequals(type, "application/json") && !(type.starts_with("application/") && type.ends_with("+json")))
    return make_error_code(form_errc::wrong_content_type);
  boost::json::parse_options opts;
  opts.max_depth = 32;
  boost::system::error_code ec;
  auto v = boost::json::parse(body_, ec, {}, opts);
  if (ec) return ec;
  return v;
}

const cookie_jar& request::cookies() const {
  if (!cookie_cache_) {
    cookie_cache_.emplace();
    for (const auto& h : headers_)
      if (iequals(view(h.name), "cookie")) parse_cookie_header(view(h.value), *cookie_cache_);
  }
  return *cookie_cache_;
}

std::string_view request::csp_nonce() {
  if (!csp_nonce_.empty()) return csp_nonce_;
  unsigned char raw[16];
  random_bytes_pooled(raw);
  char encoded[25];  // base64 of 16 bytes: 22 characters and "=="
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded), raw, sizeof raw);
  for (char& c : encoded) {  // base64url: nothing in it needs escaping in HTML or headers
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  csp_nonce_.assign(encoded, 22);
  return csp_nonce_;
}

}  // namespace bastion
