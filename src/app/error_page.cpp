// The built-in error renderer: the contract's JSON body for /api/ paths and JSON
// clients, a small HTML page for everyone else. No exception text, SQL, paths or
// versions: only the public message and the request id. Its <style> carries the
// response's CSP nonce, so the strict default policy never blocks the framework's own pages.
#include <bastion/app/error_handler.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/util/strings.hpp>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <cctype>

namespace bastion {

void render_default_error(request& req, response& res, const error_info& info) {
  res.status(info.status);
  const auto message = info.message.empty() ? default_error_message(info.status) : info.message;
  if (req.wants_json()) {
    boost::json::object body;
    body["error"] = message;
    if (info.extra)
      for (const auto& [k, v] : *info.extra) body[k] = v;
    if (info.status >= 500 && !req.request_id().empty()) body["request_id"] = req.request_id();
    if (!info.debug_detail.empty()) body["debug"] = info.debug_detail;
    res.json(body);
    return;
  }
  std::string title = std::string(message);
  if (!title.empty()) title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
  std::string html = fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0} {1}</title>\n"
      "<style nonce=\"{2}\">body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;color:#222}}"
      "code{{background:#f3f3f3;padding:0 .2em}}</style></head>\n"
      "<body><h1>{1}</h1>\n",
      info.status, html_escape(title), req.csp_nonce());
  if (info.status >= 500 && !req.request_id().empty())
    html += fmt::format("<p>Request id: <code>{}</code></p>\n", html_escape(req.request_id()));
  if (!info.debug_detail.empty())
    html += fmt::format("<pre>{}</pre>\n", html_escape(info.debug_detail));
  html += "</body></html>\n";
  res.html(html);
}

}  // namespace bastion
