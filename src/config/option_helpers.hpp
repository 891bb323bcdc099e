#pragma once
// Shorthand for declaring options in the framework's own option lists.
#include <bastion/config/option_spec.hpp>

#include <string>
#include <utility>

namespace bastion::detail {

inline option_spec spec(std::string name, option_type type, std::string def, std::string description) {
  option_spec s;
  s.name = std::move(name);
  s.type = type;
  s.default_value = std::move(def);
  s.description = std::move(description);
  return s;
}

inline option_spec bounded(option_spec s, std::int64_t min, std::int64_t max) {
  s.min = min;
  s.max = max;
  return s;
}

inline option_spec secret(option_spec s) {
  s.secret = true;
  return s;
}

inline option_spec choices(option_spec s, std::vector<std::string> values) {
  s.choices = std::move(values);
  return s;
}

inline option_spec in_production(option_spec s, std::string value) {
  s.env_default[static_cast<std::size_t>(environment::production)] = std::move(value);
  return s;
}

}  // namespace bastion::detail
