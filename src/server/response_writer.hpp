#pragma once
// Serialises a response into the connection's output buffer: status line, the
// handler's headers, then the headers the server owns (Date, Content-Length,
// Connection), then the body. One contiguous buffer, one write.
#include <bastion/http/response.hpp>

#include <string>
#include <string_view>

namespace bastion::detail {

struct write_flags {
  bool keep_alive = true;
  bool http10 = false;     // the client spoke HTTP/1.0: say keep-alive explicitly
  bool head = false;       // HEAD: headers of the GET, no body
};

void append_response(std::string& out, const response& res, std::string_view date, write_flags flags);

// The status line for `code`, e.g. "HTTP/1.1 404 Not Found\r\n".
std::string_view status_line(unsigned code) noexcept;

}  // namespace bastion::detail
