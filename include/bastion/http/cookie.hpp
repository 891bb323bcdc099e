#pragma once
// Cookies: parsing the request's Cookie header and serialising Set-Cookie.
//
// The serialiser is secure by default: HttpOnly, Secure and SameSite=Lax are on unless
// turned off on purpose, and the `__Host-` / `__Secure-` prefix rules are enforced.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bastion {

struct cookie_limits {
  std::size_t max_cookies = 64;          // pairs kept from the Cookie header(s)
  std::size_t max_value_bytes = 4096;    // longer values are dropped
};

class cookie_jar {
 public:
  // Value of the first cookie called `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  std::size_t size() const noexcept { return pairs_.size(); }
  const std::vector<std::pair<std::string, std::string>>& pairs() const noexcept { return pairs_; }
  void add(std::string_view name, std::string_view value) { pairs_.emplace_back(name, value); }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Adds the pairs of one Cookie header to `jar` (RFC 6265 section 5.4 / 4.2.1, lenient the
// way browsers are: pairs without '=' or with invalid names are skipped, a value in
// double quotes is unquoted). Never fails; stops at the limits.
void parse_cookie_header(std::string_view header, cookie_jar& jar, const cookie_limits& limits = {});

enum class same_site { lax, strict, none };

struct set_cookie {
  std::string name;                                   // a token; `__Host-` / `__Secure-` prefixes are checked
  std::string value;                                  // cookie-octets only (no space, quote, comma, semicolon, backslash)
  std::string path = "/";                             // Path attribute
  std::string domain;                                 // Domain attribute; empty = host-only (safer)
  std::optional<std::chrono::seconds> max_age;        // Max-Age (and Expires for old clients); none = session cookie
  bool secure = true;                                 // Secure; turning it off is for plain-http development only
  bool http_only = true;                              // HttpOnly: scripts cannot read it
  same_site site = same_site::lax;                    // SameSite; None requires Secure
  bool partitioned = false;                           // Partitioned (CHIPS); requires Secure
};

enum class cookie_errc {
  invalid_name = 1,     // empty or not an RFC 7230 token
  invalid_value,        // characters outside cookie-octet
  invalid_attribute,    // path/domain containing ';' or control characters
  prefix_violation,     // __Host- needs Secure, Path=/ and no Domain; __Secure- needs Secure
  none_without_secure,  // SameSite=None or Partitioned without Secure
};
const boost::system::error_category& cookie_category() noexcept;
boost::system::error_code make_error_code(cookie_errc e) noexcept;

// The Set-Cookie header value, or why the cookie cannot be sent as asked.
boost::system::result<std::string> serialize(const set_cookie& cookie);

// A Set-Cookie value that deletes `name` (empty value, Max-Age=0, same Path/Domain/flags).
set_cookie expired_cookie(std::string name, std::string path = "/", std::string domain = {});

}  // namespace bastion

template <>
struct boost::system::is_error_code_enum<bastion::cookie_errc> : std::true_type {};
