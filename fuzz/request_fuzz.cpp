// The request object as the server fills it: set_start_line, headers, body, and the views
// parsed from them on demand.
//
// Input: "<METHOD> <target>[ HTTP/1.0]\n", then "name:value" lines up to an empty line,
// then the body (a "\r" before "\n" is dropped). Checked: the request line is stored as
// given, an accepted target yields a '/'-rooted path without NUL and the query after '?';
// header lookups are case-insensitive and find the first value; query(), form() and
// cookies() agree with the standalone parsers; json() refuses other content types; and
// a reset() request filled with the same input reports exactly the same thing, since the
// server reuses one request object for every request on a connection.
#include "fuzz_check.hpp"

#include <bastion/http/request.hpp>
#include <bastion/util/strings.hpp>

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>


namespace {

namespace http = boost::beast::http;

std::string_view next_line(std::string_view& in) {
  const auto nl = in.find('\n');
  auto line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

std::string describe(const boost::system::result<bastion::form_data>& r) {
  if (!r) return "error " + r.error().message();
  std::string out;
  for (const auto& [k, v] : r->pairs()) out += k + '=' + v + '&';
  return out;
}

// Fills `req` from the input and returns a transcript of everything it reports.
std::string run(bastion::request& req, std::string_view in) {
  auto line = next_line(in);
  unsigned version = 11;
  if (line.ends_with(" HTTP/1.0")) version = 10;
  if (line.ends_with(" HTTP/1.0") || line.ends_with(" HTTP/1.1")) line.remove_suffix(9);
  const auto sp = line.find(' ');
  const auto method_text = line.substr(0, sp);
  const auto target = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  const auto method = http::string_to_verb(method_text);

  const bool ok = req.set_start_line(method, method_text, target, version);
  FUZZ_CHECK(req.target() == target && req.version() == version && req.method() == method);
  const auto known = http::to_string(method);
  FUZZ_CHECK(req.method_string() ==
             (method == http::verb::unknown ? method_text : std::string_view(known.data(), known.size())));
  if (ok) {
    const auto path = req.path();
    FUZZ_CHECK(path.starts_with('/') && path.find('\0') == std::string_view::npos);
    const auto q = target.find('?');
    FUZZ_CHECK(req.raw_query() == (q == std::string_view::npos ? std::string_view{} : target.substr(q + 1)));
    if (target.substr(0, q).find('%') == std::string_view::npos) FUZZ_CHECK(path == target.substr(0, q));
  }

  std::vector<std::pair<std::string_view, std::string_view>> added;
  while (!in.empty()) {
    const auto h = next_line(in);
    if (h.empty()) break;
    const auto colon = h.find(':');
    added.emplace_back(h.substr(0, colon), colon == std::string_view::npos ? std::string_view{} : h.substr(colon + 1));
    req.add_header(added.back().first, added.back().second);
  }
  req.body_buffer().assign(in);
  req.add_param("rest", req.path());

  FUZZ_CHECK(req.header_count() == added.size());
  bastion::cookie_jar expected_cookies;
  for (std::size_t i = 0; i < added.size(); ++i) {
    const auto [name, value] = req.header_at(i);
    FUZZ_CHECK(name == added[i].first && value == added[i].second);
    FUZZ_CHECK(req.has_header(name));
    for (const auto& [n, v] : added)
      if (bastion::iequals(n, name)) {
        FUZZ_CHECK(req.header(bastion::to_lower(name)) == v);
        break;
      }
    if (bastion::iequals(name, "cookie")) bastion::parse_cookie_header(value, expected_cookies);
  }
  FUZZ_CHECK(req.param("rest") == req.path());
  (void)req.param_int("rest");

  std::string out = std::to_string(ok) + '\n' + std::string(req.path()) + '\n';
  const auto& query = req.query();
  FUZZ_CHECK(&query == &req.query());  // cached, not re-parsed
  FUZZ_CHECK(describe(query) == describe(bastion::parse_urlencoded(req.raw_query())));
  out += describe(query) + '\n';

  const auto& form = req.form();
  const auto type = bastion::trim_ows(req.header("content-type").substr(0, req.header("content-type").find(';')));
  if (bastion::iequals(type, "application/x-www-form-urlencoded"))
    FUZZ_CHECK(describe(form) == describe(bastion::parse_urlencoded(req.body())));
  else
    FUZZ_CHECK(!form && form.error() == bastion::form_errc::wrong_content_type);
  out += describe(form) + '\n';

  FUZZ_CHECK(req.cookies().pairs() == expected_cookies.pairs());
  for (const auto& [k, v] : req.cookies().pairs()) out += k + '=' + v + ';';

  const auto json = req.json();
  const bool json_type = bastion::iequals(type, "application/json") ||
                         (type.starts_with("application/") && type.ends_with("+json"));
  if (!json_type) FUZZ_CHECK(!json && json.error() == bastion::form_errc::wrong_content_type);
  out += json ? boost::json::serialize(*json) : json.error().message();
  out += req.wants_json() ? "\njson" : "\nhtml";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  bastion::request req;
  req.set_peer("192.0.2.1", false);
  const auto first = run(req, input);
  req.set_client_address("198.51.100.7");
  req.reset();
  FUZZ_CHECK(req.client_address() == "192.0.2.1" && req.header_count() == 0 && req.body().empty());
  FUZZ_CHECK(run(req, input) == first);
  return 0;
}
