#pragma once
// Configuration per environment: declared defaults < TOML file < environment variables.
//
// Every declared option is read and validated once, at load; problems are collected,
// one clear message each, and reported together (startup stops). After a successful
// load, the typed getters cannot fail for declared options.
#include <bastion/config/environment.hpp>
#include <bastion/config/option_spec.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

struct config_problem {
  std::string option;   // "PORT"
  std::string message;  // "'80x' is not an integer (expected 1..65535)"
};

enum class value_source { default_value, file, environment };
std::string_view to_string(value_source s) noexcept;

struct config_sources {
  // TOML file; empty = CONFIG_FILE from the environment, if set.
  std::string file;
  // Looks up an environment variable; defaults to getenv. Tests pass a map.
  std::function<std::optional<std::string>(std::string_view)> getenv;
};

class config {
 public:
  environment env() const noexcept { return env_; }
  bool is_production() const noexcept { return env_ == environment::production; }
  bool debug() const { return get_bool("APP_DEBUG"); }

  // Raw text of a declared option ("" when unset).
  std::string_view get(std::string_view name) const;
  bool get_bool(std::string_view name) const;
  std::int64_t get_int(std::string_view name) const;
  std::uint64_t get_size(std::string_view name) const;
  std::chrono::milliseconds get_duration(std::string_view name) const;
  std::vector<std::string> get_list(std::string_view name) const;
  bool is_set(std::string_view name) const;  // set by the file or the environment
  value_source source(std::string_view name) const;
  bool is_declared(std::string_view name) const noexcept;

  // The signing key from SECRET_KEY or SECRET_KEY_FILE; in development and testing a
  // random per-process key when neither is set (see secret_key_is_ephemeral).
  const std::string& secret_key() const noexcept { return secret_key_; }
  bool secret_key_is_ephemeral() const noexcept { return secret_key_ephemeral_; }

  // Problems found at load. Empty means the configuration is usable.
  const std::vector<config_problem>& problems() const noexcept { return problems_; }
  // A problem found by a module that reads several options together (start refuses).
  void add_problem(std::string option, std::string message) { problems_.push_back({std::move(option), std::move(message)}); }

  // Every option with its display value (secrets as "[redacted]", passwords in URLs
  // masked) and where it came from.
  struct described {
    std::string name, value, source, description;
  };
  std::vector<described> describe() const;

  // Overrides one option (tests and app code); re-validates it. Returns false and
  // records a problem if the value is invalid.
  bool set(std::string_view name, std::string value);

  const std::vector<option_spec>& specs() const noexcept { return specs_; }

 private:
  friend config load_config(std::vector<option_spec>, const config_sources&);
  struct entry {
    std::string value;
    value_source source = value_source::default_value;
  };
  const entry& at(std::string_view name) const;
  const option_spec* spec(std::string_view name) const noexcept;
  void resolve_secret_key(const config_sources& sources);

  environment env_ = environment::development;
  std::vector<option_spec> specs_;
  std::map<std::string, entry, std::less<>> values_;
  std::vector<config_problem> problems_;
  std::string secret_key_;
  bool secret_key_ephemeral_ = false;
};

// The options every Bastion app has (APP_ENV, SECRET_KEY, HOST, PORT, limits, ...).
std::vector<option_spec> core_options();

// Loads `specs` (core options are added when missing) from the sources.
config load_config(std::vector<option_spec> specs = {}, const config_sources& sources = {});

// Validates `text` for `spec`; returns the problem message, if any.
std::optional<std::string> validate_option(const option_spec& spec, std::string_view text);

// Parsers shared by the loader and the typed getters.
std::optional<bool> parse_bool(std::string_view s) noexcept;
std::optional<std::uint64_t> parse_size(std::string_view s) noexcept;
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) noexcept;

}  // namespace bastion
