#include <bastion/routing/blueprint.hpp>

namespace bastion {

blueprint::blueprint(std::string name, std::string url_prefix, route_options defaults)
    : name_(std::move(name)), prefix_(std::move(url_prefix)), defaults_(std::move(defaults)) {}

void blueprint::route(std::string_view pattern, std::initializer_list<http::verb> methods, handler h,
                      route_options options) {
  routes_.push_back({std::string(pattern), std::vector<http::verb>(methods), std::move(h), std::move(options)});
}

const error_handler_fn* blueprint::find_error_handler(unsigned status) const noexcept {
  if (auto it = error_handlers_.find(status); it != error_handlers_.end()) return &it->second;
  if (auto it = error_handlers_.find(0); it != error_handlers_.end()) return &it->second;
  return nullptr;
}

}  // namespace bastion
