#include <bastion/config/environment.hpp>

#include <bastion/util/strings.hpp>

namespace bastion {

std::string_view to_string(environment e) noexcept {
  switch (e) {
    case environment::development: return "development";
    case environment::testing: return "testing";
    case environment::production: return "production";
  }
  return "development";
}

std::optional<environment> parse_environment(std::string_view s) noexcept {
  if (iequals(s, "development") || iequals(s, "dev")) return environment::development;
  if (iequals(s, "testing") || iequals(s, "test")) return environment::testing;
  if (iequals(s, "production") || iequals(s, "prod")) return environment::production;
  return std::nullopt;
}

}  // namespace bastion
