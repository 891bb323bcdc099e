#include "view.hpp"

#include <bastion/auth/authentication.hpp>
#include <bastion/security/csrf.hpp>
#include <bastion/util/strings.hpp>

#include <fmt/format.h>

namespace platform {
namespace {

// Code points in `s`, or nullopt when it is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return std::nullopt;
    i += len;
  }
  return n;
}

}  // namespace

void render_page(bastion::app& app, bastion::request& req, bastion::response& res, std::string_view name,
                 boost::json::object data, unsigned status) {
  if (const auto* u = bastion::current_user(req)) {
    data["user"] = {{"name", u->name}, {"admin", u->has_role("admin")}};
    data["csrf_token"] = bastion::csrf_token(req);
  }
  app.render(req, res, name, std::move(data), "layout");
  res.status(status);
}

std::string check_text(std::string_view text, std::size_t max_chars) {
  const auto n = utf8_length(text);
  if (!n) return "must be UTF-8 text";
  if (bastion::trim_ows(text).empty()) return "is required";
  if (*n > max_chars) return fmt::format("must be at most {} characters", max_chars);
  return {};
}

}  // namespace platform
