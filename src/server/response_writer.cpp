#include "server/response_writer.hpp"

#include <bastion/util/strings.hpp>

#include <boost/beast/http/status.hpp>

#include <array>
#include <charconv>

namespace bastion::detail {
namespace {

struct status_lines {
  std::array<std::string, 600> lines;
  status_lines() {
    for (unsigned i = 100; i < 600; ++i) {
      auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(i));
      if (reason == "<unknown-status>") reason = "Unknown";
      lines[i] = "HTTP/1.1 " + std::to_string(i) + " " + std::string(reason) + "\r\n";
    }
  }
};

const status_lines& table() {
  static const status_lines t;
  return t;
}

// Headers the server computes itself; a handler's copy is dropped.
bool server_owned(std::string_view name) noexcept {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "date") ||
         iequals(name, "connection") || iequals(name, "server") || iequals(name, "keep-alive");
}

}  // namespace

std::string_view status_line(unsigned code) noexcept {
  if (code < 100 || code >= 600) code = 500;
  return table().lines[code];
}

void append_response(std::string& out, const response& res, std::string_view date, write_flags flags) {
  const unsigned code = res.status();
  out.append(status_line(code));
  res.for_each_header([&](std::string_view name, std::string_view value) {
    if (server_owned(name)) return;
    out.append(name);
    out.append(": ", 2);
    out.append(value);
    out.append("\r\n", 2);
  });
  out.append("Date: ", 6);
  out.append(date);
  out.append("\r\n", 2);
  const bool no_body_status = code < 200 || code == 204 || code == 304;
  if (!no_body_status) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, res.body().size());
    (void)ec;
    out.append("Content-Length: ", 16);
    out.append(digits, static_cast<std::size_t>(end - digits));
    out.append("\r\n", 2);
  }
  if (!flags.keep_alive) out.append("Connection: close\r\n", 19);
  else if (flags.http10) out.append("Connection: keep-alive\r\n", 24);
  out.append("\r\n", 2);
  if (!flags.head && !no_body_status && !res.suppress_body) out.append(res.body());
}

}  // namespace bastion::detail
