#include <bastion/http/response.hpp>

#include <bastion/util/strings.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstring>
#include <stdexcept>

namespace bastion {

void response::reset() {
  buf_.clear();
  headers_.clear();
  body_.clear();
  status_ = 200;
  suppress_body = false;
}

namespace {

// RFC 9110 token characters for field names.
constexpr auto token_table = [] {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool is_field_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (char c : name)
    if (!token_table[static_cast<unsigned char>(c)]) return false;
  return true;
}

// A value may not end the header line early: no CR, LF or NUL (response splitting).
bool is_field_value(std::string_view value) noexcept {
  return !std::memchr(value.data(), '\r', value.size()) && !std::memchr(value.data(), '\n', value.size()) &&
         !std::memchr(value.data(), '\0', value.size());
}

}  // namespace

void response::add_header(std::string_view name, std::string_view value) {
  if (!is_field_name(name) || !is_field_value(value))
    throw std::invalid_argument("response header refused: invalid name or CR/LF/NUL in the value");
  headers_.push_back({static_cast<std::uint32_t>(buf_.size()), static_cast<std::uint32_t>(name.size()),
                      static_cast<std::uint32_t>(value.size()), true});
  buf_.append(name);
  buf_.append(value);
}

void response::set_header(std::string_view name, std::string_view value) {
  erase_header(name);
  add_header(name, value);
}

bool response::set_header_if_absent(std::string_view name, std::string_view value) {
  if (has_header(name)) return false;
  add_header(name, value);
  return true;
}

void response::erase_header(std::string_view name) {
  for (auto& h : headers_)
    if (h.alive && iequals(std::string_view(buf_.data() + h.offset, h.name_size), name)) h.alive = false;
}

std::string_view response::header(std::string_view name) const noexcept {
  for (const auto& h : headers_)
    if (h.alive && iequals(std::string_view(buf_.data() + h.offset, h.name_size), name))
      return {buf_.data() + h.offset + h.name_size, h.value_size};
  return {};
}

bool response::has_header(std::string_view name) const noexcept {
  for (const auto& h : headers_)
    if (h.alive && iequals(std::string_view(buf_.data() + h.offset, h.name_size), name)) return true;
  return false;
}

void response::text(std::string_view body, std::string_view content_type) {
  body_.assign(body);
  set_header("Content-Type", content_type);
}

void response::json(const boost::json::value& v) {
  body_ = boost::json::serialize(v);
  set_header("Content-Type", "application/json");
}

void response::redirect(std::string_view location, unsigned code, std::string_view fallback) {
  status_ = code;
  set_header("Location", is_safe_redirect_target(location) ? location : fallback);
  body_.clear();
}

void response::set_cookie(const bastion::set_cookie& cookie) {
  auto value = serialize(cookie);
  if (!value) throw std::invalid_argument("cookie '" + cookie.name + "' rejected: " + value.error().message());
  add_header("Set-Cookie", *value);
}

bool is_safe_redirect_target(std::string_view t) noexcept {
  if (t.empty() || t.front() != '/') return false;
  if (t.size() > 1 && (t[1] == '/' || t[1] == '\\')) return false;
  for (char ch : t) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F || c == '\\') return false;
  }
  return true;
}

}  // namespace bastion
