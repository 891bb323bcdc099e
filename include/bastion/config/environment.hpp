#pragma once
#include <optional>
#include <string_view>

namespace bastion {

// APP_ENV. Production turns every protection to its strictest default and refuses to
// start with an insecure configuration.
enum class environment { development, testing, production };

std::string_view to_string(environment e) noexcept;
std::optional<environment> parse_environment(std::string_view s) noexcept;

}  // namespace bastion
