#include <bastion/http/http_error.hpp>

namespace bastion {

std::string_view default_error_message(unsigned status) noexcept {
  switch (status) {
    case 400: return "bad request";
    case 401: return "authentication required";
    case 403: return "forbidden";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 408: return "request timeout";
    case 409: return "conflict";
    case 411: return "length required";
    case 413: return "request body too large";
    case 414: return "request target too long";
    case 415: return "unsupported media type";
    case 417: return "expectation failed";
    case 422: return "validation failed";
    case 429: return "too many requests";
    case 431: return "request header fields too large";
    case 500: return "internal server error";
    case 501: return "not implemented";
    case 503: return "service unavailable";
    case 505: return "http version not supported";
    default: return status >= 500 ? "server error" : "request error";
  }
}

}  // namespace bastion
