#pragma once
// A testing-environment configuration from explicit values, for in-process benchmarks.
#include <bastion/config/config.hpp>

#include <map>
#include <optional>
#include <string>

namespace bench {

inline bastion::config make_config(std::map<std::string, std::string> values) {
  values.try_emplace("APP_ENV", "testing");
  values.try_emplace("ACCESS_LOG", "false");
  bastion::config_sources sources;
  sources.getenv = [values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
  return bastion::load_config({}, sources);
}

}  // namespace bench
