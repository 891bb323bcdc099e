#pragma once
// The declaration of one configuration option: its name, type, per-environment default
// and whether it is a secret. Every option the framework or an app reads is declared,
// so the loader can validate all of them at start, reject unknown keys in the config
// file, and print the configuration with secrets redacted.
#include <bastion/config/environment.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace bastion {

enum class option_type {
  string,    // any text
  boolean,   // true/false, on/off, yes/no, 1/0
  integer,   // decimal, within [min, max]
  size,      // bytes: 1048576, 512KiB, 1MiB, 1M, 2GB (binary multiples)
  duration,  // 500ms, 10s, 5m, 1h, or plain seconds
  list,      // comma-separated
};

struct option_spec {
  std::string name;                        // upper-case, as in the environment ("PORT")
  option_type type = option_type::string;  // how the text is validated and read
  std::string description;                 // one line, shown by `config`
  std::string default_value;               // default for every environment ("" = unset)
  std::array<std::optional<std::string>, 3> env_default{};  // per-environment override of the default
  bool secret = false;                     // never printed or logged
  std::vector<std::string> choices;        // string options: the accepted values (empty = any)
  std::int64_t min = std::numeric_limits<std::int64_t>::min();  // integer/size/duration lower bound
  std::int64_t max = std::numeric_limits<std::int64_t>::max();  // integer/size/duration upper bound

  const std::string& default_for(environment e) const {
    const auto& d = env_default[static_cast<std::size_t>(e)];
    return d ? *d : default_value;
  }
};

}  // namespace bastion
