#pragma once
// Path and method dispatch over frozen routes. Static paths are one hash lookup;
// patterns with parameters are tried in registration order after them.
#include <bastion/routing/route.hpp>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bastion::detail {

// All routes that share one pattern shape, by method.
struct endpoint {
  route_pattern pattern;
  std::array<const route*, 40> by_method{};  // indexed by http::verb
  std::string allow;                         // "GET, HEAD, OPTIONS"
  route options_route;                       // automatic OPTIONS
  route not_allowed_route;                   // 405 with Allow
};

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class router {
 public:
  // Adds a route; returns an error message for a duplicate method on the same pattern.
  std::string add(const route& r);
  // Computes the Allow lists and the synthetic routes; `wrap` gives them their chain.
  template <class F>
  void finish(F&& make_synthetic) {
    for (auto& e : endpoints_) make_synthetic(*e);
  }

  // Finds the route for method + path; sets request params. Returns the endpoint's
  // synthetic route for automatic OPTIONS and 405, null for 404.
  const route* match(http::verb method, std::string_view path, request& req) const;

  // True when `path` is exactly a route without parameters.
  bool has_static(std::string_view path) const { return static_.find(path) != static_.end(); }

  const std::vector<std::unique_ptr<endpoint>>& endpoints() const noexcept { return endpoints_; }

 private:
  std::vector<std::unique_ptr<endpoint>> endpoints_;
  std::unordered_map<std::string, endpoint*, string_hash, std::equal_to<>> static_;
  std::vector<endpoint*> dynamic_;
};

}  // namespace bastion::detail
