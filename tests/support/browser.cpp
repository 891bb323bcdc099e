#include "support/browser.hpp"

#include <bastion/util/strings.hpp>

namespace bastion::testing {

std::unique_ptr<exchange> browser::send(http::verb method, std::string_view target, header_list headers,
                                        std::string_view body) {
  bool has_host = false;
  for (const auto& [n, v] : headers) has_host = has_host || iequals(n, "host");
  if (!has_host) headers.emplace_back("Host", "app.test");
  std::string jar;
  for (const auto& [n, v] : cookies) jar += (jar.empty() ? "" : "; ") + n + "=" + v;
  if (!jar.empty()) headers.emplace_back("Cookie", jar);
  auto x = testing::send(app_, method, target, std::move(headers), peer_, body);
  x->res.for_each_header([&](std::string_view name, std::string_view value) {
    if (!iequals(name, "set-cookie")) return;
    const auto semi = value.find(';');
    const auto pair = value.substr(0, semi);
    const auto eq = pair.find('=');
    const std::string n(pair.substr(0, eq)), v(pair.substr(eq + 1));
    if (icontains(value, "max-age=0")) cookies.erase(n);
    else cookies[n] = v;
  });
  return x;
}

std::unique_ptr<exchange> browser::post_form(std::string_view target, std::string_view body, header_list headers) {
  headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return send(http::verb::post, target, std::move(headers), body);
}

}  // namespace bastion::testing
