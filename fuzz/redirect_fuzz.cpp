// Open-redirect guard: is_safe_redirect_target and response::redirect.
//
// Whenever a target is accepted it must start with '/' not followed by '/' or '\', and
// hold no control character, DEL or backslash (browsers strip tabs and newlines and read
// '\' as '/', which turns "/\t/evil" or "/\evil" into a scheme-relative URL). When it
// is also a valid URI reference, resolving it against an https base must keep the base's
// host. response::redirect must put the target itself in Location when it is accepted,
// and the fallback otherwise.
#include "fuzz_check.hpp"

#include <bastion/http/response.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>


extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  const bool safe = bastion::is_safe_redirect_target(target);

  bastion::response res;
  res.redirect(target, 303, "/home");
  FUZZ_CHECK(res.status() == 303);
  FUZZ_CHECK(res.header("Location") == (safe ? target : std::string_view("/home")));
  if (!safe) return 0;

  FUZZ_CHECK(target.starts_with('/'));
  FUZZ_CHECK(target.size() == 1 || (target[1] != '/' && target[1] != '\\'));
  for (unsigned char c : target) FUZZ_CHECK(c >= 0x20 && c != 0x7F && c != '\\');

  if (const auto ref = boost::urls::parse_relative_ref(target)) {
    boost::urls::url resolved("https://app.example/a/b");
    FUZZ_CHECK(resolved.resolve(*ref).has_value());
    FUZZ_CHECK(resolved.scheme() == "https" && resolved.encoded_host() == "app.example");
    FUZZ_CHECK(!resolved.has_userinfo() && !resolved.has_port());
  }
  return 0;
}
