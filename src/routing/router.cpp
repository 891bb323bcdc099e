#include "routing/router.hpp"

#include <fmt/format.h>

namespace bastion::detail {

std::string router::add(const route& r) {
  endpoint* e = nullptr;
  for (auto& existing : endpoints_)
    if (existing->pattern.same_shape(r.pattern)) e = existing.get();
  if (!e) {
    endpoints_.push_back(std::make_unique<endpoint>());
    e = endpoints_.back().get();
    e->pattern = r.pattern;
    if (r.pattern.is_static()) static_.emplace(r.pattern.text(), e);
    else dynamic_.push_back(e);
  }
  for (auto m : r.methods) {
    const auto idx = static_cast<std::size_t>(m);
    if (idx >= e->by_method.size()) return fmt::format("route {}: unsupported method", r.pattern.text());
    if (e->by_method[idx])
      return fmt::format("route {} {} is registered twice (also as {})", http::to_string(m), r.pattern.text(),
                         e->by_method[idx]->pattern.text());
    e->by_method[idx] = &r;
  }
  return {};
}

const route* router::match(http::verb method, std::string_view path, request& req) const {
  const endpoint* e = nullptr;
  thread_local std::vector<std::pair<std::string_view, std::string_view>> params;
  params.clear();
  if (auto it = static_.find(path); it != static_.end()) {
    e = it->second;
  } else {
    for (const auto* d : dynamic_)
      if (d->pattern.match(path, params)) {
        e = d;
        break;
      }
  }
  if (!e) return nullptr;

  const route* r = &e->not_allowed_route;
  const auto idx = static_cast<std::size_t>(method);
  if (idx < e->by_method.size() && e->by_method[idx]) r = e->by_method[idx];
  else if (auto* get = e->by_method[static_cast<std::size_t>(http::verb::get)]; get && method == http::verb::head) r = get;
  else if (method == http::verb::options) r = &e->options_route;

  // Routes of one shape may name their parameters differently (GET /posts/{id:int},
  // POST /posts/{post_id:int}): values are positional, names are the chosen route's.
  std::size_t i = 0;
  for (const auto& seg : r->pattern.segments())
    if (seg.is_param && i < params.size()) req.add_param(seg.text, params[i++].second);
  return r;
}

}  // namespace bastion::detail
