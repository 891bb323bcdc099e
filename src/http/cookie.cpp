#include <bastion/http/cookie.hpp>

#include <bastion/util/strings.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

namespace bastion {
namespace {

class cookie_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "bastion.cookie"; }
  std::string message(int ev) const override {
    switch (static_cast<cookie_errc>(ev)) {
      case cookie_errc::invalid_name: return "cookie name is not a token";
      case cookie_errc::invalid_value: return "cookie value has characters outside cookie-octet";
      case cookie_errc::invalid_attribute: return "cookie path or domain has forbidden characters";
      case cookie_errc::prefix_violation: return "__Host-/__Secure- prefix rules not met";
      case cookie_errc::none_without_secure: return "SameSite=None and Partitioned need Secure";
    }
    return "unknown cookie error";
  }
};

// RFC 7230 tchar.
constexpr bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

// RFC 6265 cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
constexpr bool is_cookie_octet(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

bool is_safe_attribute(std::string_view s) noexcept {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F || c == ';') return false;
  }
  return true;
}

}  // namespace

const boost::system::error_category& cookie_category() noexcept {
  static const cookie_category_impl instance;
  return instance;
}

boost::system::error_code make_error_code(cookie_errc e) noexcept {
  return {static_cast<int>(e), cookie_category()};
}

std::optional<std::string_view> cookie_jar::get(std::string_view name) const noexcept {
  for (const auto& [k, v] : pairs_)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

void parse_cookie_header(std::string_view header, cookie_jar& jar, const cookie_limits& limits) {
  while (!header.empty() && jar.size() < limits.max_cookies) {
    const auto semi = header.find(';');
    const auto pair = trim_ows(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const auto name = trim_ows(pair.substr(0, eq));
    auto value = trim_ows(pair.substr(eq + 1));
    if (!is_token(name)) continue;
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (value.size() > limits.max_value_bytes) continue;
    bool ok = true;
    for (char c : value) ok = ok && is_cookie_octet(c);
    if (!ok) continue;
    jar.add(name, value);
  }
}

boost::system::result<std::string> serialize(const set_cookie& c) {
  if (!is_token(c.name)) return make_error_code(cookie_errc::invalid_name);
  for (char ch : c.value)
    if (!is_cookie_octet(ch)) return make_error_code(cookie_errc::invalid_value);
  if (!is_safe_attribute(c.path) || !is_safe_attribute(c.domain))
    return make_error_code(cookie_errc::invalid_attribute);
  if (c.name.starts_with("__Host-") && (!c.secure || c.path != "/" || !c.domain.empty()))
    return make_error_code(cookie_errc::prefix_violation);
  if (c.name.starts_with("__Secure-") && !c.secure) return make_error_code(cookie_errc::prefix_violation);
  if ((c.site == same_site::none || c.partitioned) && !c.secure)
    return make_error_code(cookie_errc::none_without_secure);

  std::string out = fmt::format("{}={}", c.name, c.value);
  if (!c.path.empty()) out += fmt::format("; Path={}", c.path);
  if (!c.domain.empty()) out += fmt::format("; Domain={}", c.domain);
  if (c.max_age) {
    const auto seconds = c.max_age->count() < 0 ? 0 : c.max_age->count();
    // A deleting cookie gets the epoch as its date, so clock skew cannot keep it alive.
    const std::time_t expires = seconds == 0 ? 0 : std::time(nullptr) + static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&expires, &tm);
    out += fmt::format("; Max-Age={}; Expires={:%a, %d %b %Y %H:%M:%S} GMT", seconds, tm);
  }
  if (c.secure) out += "; Secure";
  if (c.http_only) out += "; HttpOnly";
  switch (c.site) {
    case same_site::lax: out += "; SameSite=Lax"; break;
    case same_site::strict: out += "; SameSite=Strict"; break;
    case same_site::none: out += "; SameSite=None"; break;
  }
  if (c.partitioned) out += "; Partitioned";
  return out;
}

set_cookie expired_cookie(std::string name, std::string path, std::string domain) {
  set_cookie c;
  c.name = std::move(name);
  c.path = std::move(path);
  c.domain = std::move(domain);
  c.max_age = std::chrono::seconds(0);
  return c;
}

}  // namespace bastion
