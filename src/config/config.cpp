#include <bastion/config/config.hpp>

#include <bastion/db/database.hpp>
#include <bastion/util/random.hpp>
#include <bastion/util/strings.hpp>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bastion {
namespace {

std::optional<std::int64_t> parse_int(std::string_view s) noexcept {
  s = trim_ows(s);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ascii_lower(a[i - 1]) != ascii_lower(b[j - 1]))});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string toml_to_text(const toml::node& n) {
  if (auto s = n.as_string()) return s->get();
  if (auto b = n.as_boolean()) return b->get() ? "true" : "false";
  if (auto i = n.as_integer()) return std::to_string(i->get());
  if (auto f = n.as_floating_point()) return fmt::format("{}", f->get());
  if (auto a = n.as_array()) {
    std::string out;
    for (const auto& e : *a) {
      if (!out.empty()) out += ',';
      out += toml_to_text(e);
    }
    return out;
  }
  return {};
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = char(c - 32);
  return out;
}

}  // namespace

std::string_view to_string(value_source s) noexcept {
  switch (s) {
    case value_source::default_value: return "default";
    case value_source::file: return "file";
    case value_source::environment: return "environment";
  }
  return "default";
}

std::optional<bool> parse_bool(std::string_view s) noexcept {
  s = trim_ows(s);
  for (auto t : {"true", "on", "yes", "1"})
    if (iequals(s, t)) return true;
  for (auto f : {"false", "off", "no", "0"})
    if (iequals(s, f)) return false;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_size(std::string_view s) noexcept {
  s = trim_ows(s);
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + digits, n);
  if (ec != std::errc{}) return std::nullopt;
  const auto unit = trim_ows(s.substr(digits));
  std::uint64_t mult = 1;
  if (unit.empty() || iequals(unit, "b")) mult = 1;
  else if (iequals(unit, "k") || iequals(unit, "kb") || iequals(unit, "kib")) mult = 1ull << 10;
  else if (iequals(unit, "m") || iequals(unit, "mb") || iequals(unit, "mib")) mult = 1ull << 20;
  else if (iequals(unit, "g") || iequals(unit, "gb") || iequals(unit, "gib")) mult = 1ull << 30;
  else return std::nullopt;
  if (n > (~std::uint64_t{0}) / mult) return std::nullopt;
  return n * mult;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) noexcept {
  s = trim_ows(s);
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  std::int64_t n = 0;
  std::from_chars(s.data(), s.data() + digits, n);
  const auto unit = trim_ows(s.substr(digits));
  using namespace std::chrono;
  if (unit.empty() || unit == "s") return milliseconds(seconds(n));
  if (unit == "ms") return milliseconds(n);
  if (unit == "m" || unit == "min") return milliseconds(minutes(n));
  if (unit == "h") return milliseconds(hours(n));
  if (unit == "d") return milliseconds(hours(24 * n));
  return std::nullopt;
}

std::optional<std::string> validate_option(const option_spec& spec, std::string_view text) {
  auto range = [&](std::int64_t v, std::string_view shown) -> std::optional<std::string> {
    if (v < spec.min || v > spec.max)
      return fmt::format("'{}' is out of range (expected {}..{})", shown, spec.min, spec.max);
    return std::nullopt;
  };
  switch (spec.type) {
    case option_type::string:
      if (!spec.choices.empty() &&
          std::none_of(spec.choices.begin(), spec.choices.end(), [&](const std::string& c) { return iequals(c, text); })) {
        std::string list;
        for (const auto& c : spec.choices) list += (list.empty() ? "" : ", ") + c;
        return fmt::format("'{}' is not one of: {}", text, list);
      }
      return std::nullopt;
    case option_type::list:
      return std::nullopt;
    case option_type::boolean:
      if (!parse_bool(text)) return fmt::format("'{}' is not a boolean (use true/false, on/off, yes/no, 1/0)", text);
      return std::nullopt;
    case option_type::integer: {
      auto v = parse_int(text);
      if (!v) return fmt::format("'{}' is not an integer", text);
      return range(*v, text);
    }
    case option_type::size: {
      auto v = parse_size(text);
      if (!v) return fmt::format("'{}' is not a size (examples: 1048576, 512KiB, 1MiB)", text);
      return range(static_cast<std::int64_t>(std::min<std::uint64_t>(*v, INT64_MAX)), text);
    }
    case option_type::duration: {
      auto v = parse_duration(text);
      if (!v) return fmt::format("'{}' is not a duration (examples: 500ms, 10s, 5m, 1h)", text);
      return range(v->count(), text);
    }
  }
  return std::nullopt;
}

const option_spec* config::spec(std::string_view name) const noexcept {
  for (const auto& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

bool config::is_declared(std::string_view name) const noexcept { return spec(name) != nullptr; }

const config::entry& config::at(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error(fmt::format("configuration option {} is not declared", name));
  return it->second;
}

std::string_view config::get(std::string_view name) const { return at(name).value; }
bool config::get_bool(std::string_view name) const { return parse_bool(get(name)).value_or(false); }
std::int64_t config::get_int(std::string_view name) const { return parse_int(get(name)).value_or(0); }
std::uint64_t config::get_size(std::string_view name) const { return parse_size(get(name)).value_or(0); }
std::chrono::milliseconds config::get_duration(std::string_view name) const {
  return parse_duration(get(name)).value_or(std::chrono::milliseconds(0));
}
std::vector<std::string> config::get_list(std::string_view name) const {
  std::vector<std::string> out;
  for (auto v : split_list(get(name))) out.emplace_back(v);
  return out;
}
bool config::is_set(std::string_view name) const { return at(name).source != value_source::default_value; }
value_source config::source(std::string_view name) const { return at(name).source; }

bool config::set(std::string_view name, std::string value) {
  const auto* s = spec(name);
  if (!s) throw std::logic_error(fmt::format("configuration option {} is not declared", name));
  if (auto problem = validate_option(*s, value)) {
    problems_.push_back({s->name, s->secret ? "invalid value" : *problem});
    return false;
  }
  values_[s->name] = {std::move(value), value_source::environment};
  if (name == "SECRET_KEY") {
    secret_key_ = values_["SECRET_KEY"].value;
    secret_key_ephemeral_ = false;
  }
  return true;
}

std::vector<config::described> config::describe() const {
  std::vector<described> out;
  for (const auto& s : specs_) {
    const auto& e = values_.at(s.name);
    std::string shown = e.value;
    if (s.name == "DATABASE_URL") shown = db::redact_database_url(e.value);
    else if (s.secret && !e.value.empty()) shown = "[redacted]";
    out.push_back({s.name, shown, std::string(to_string(e.source)), s.description});
  }
  return out;
}

void config::resolve_secret_key(const config_sources&) {
  const auto& key = values_["SECRET_KEY"].value;
  const auto& file = values_["SECRET_KEY_FILE"].value;
  if (!key.empty() && !file.empty()) {
    problems_.push_back({"SECRET_KEY_FILE", "both SECRET_KEY and SECRET_KEY_FILE are set; keep one"});
    return;
  }
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      problems_.push_back({"SECRET_KEY_FILE", fmt::format("cannot read '{}'", file)});
      return;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    secret_key_ = ss.str();
    while (!secret_key_.empty() && (secret_key_.back() == '\n' || secret_key_.back() == '\r')) secret_key_.pop_back();
    if (secret_key_.empty()) problems_.push_back({"SECRET_KEY_FILE", fmt::format("'{}' is empty", file)});
    return;
  }
  if (!key.empty()) {
    secret_key_ = key;
    return;
  }
  if (env_ != environment::production) {
    // A per-process key: signed data does not survive a restart, which is fine here.
    secret_key_ = random_hex(32);
    secret_key_ephemeral_ = true;
  }
}

config load_config(std::vector<option_spec> specs, const config_sources& sources) {
  config c;
  for (auto& core : core_options()) {
    const bool present = std::any_of(specs.begin(), specs.end(), [&](const option_spec& s) { return s.name == core.name; });
    if (!present) specs.push_back(std::move(core));
  }
  c.specs_ = std::move(specs);

  auto getenv = sources.getenv ? sources.getenv : [](std::string_view name) -> std::optional<std::string> {
    if (const char* v = std::getenv(std::string(name).c_str())) return std::string(v);
    return std::nullopt;
  };

  // 1. The file, if any: top-level keys, then the [<environment>] table over them.
  std::map<std::string, std::string, std::less<>> top, per_env[3];
  std::string file = sources.file;
  if (file.empty())
    if (auto f = getenv("CONFIG_FILE")) file = *f;
  if (!file.empty()) {
    try {
      const toml::table table = toml::parse_file(file);
      for (const auto& [k, node] : table) {
        const auto key = upper(k.str());
        if (auto sub = node.as_table()) {
          auto env = parse_environment(k.str());
          if (!env) {
            c.problems_.push_back({key, fmt::format("unknown table [{}] in {} (use [development], [testing] or [production])", k.str(), file)});
            continue;
          }
          for (const auto& [sk, sn] : *sub) per_env[static_cast<int>(*env)][upper(sk.str())] = toml_to_text(sn);
        } else {
          top[key] = toml_to_text(node);
        }
      }
    } catch (const toml::parse_error& e) {
      c.problems_.push_back({"CONFIG_FILE", fmt::format("{} line {}: {}", file, e.source().begin.line, e.description())});
    }
  }

  // 2. The environment decides which defaults apply.
  std::string env_text = "development";
  if (auto it = top.find("APP_ENV"); it != top.end()) env_text = it->second;
  if (auto e = getenv("APP_ENV")) env_text = *e;
  if (auto env = parse_environment(env_text)) c.env_ = *env;
  else c.problems_.push_back({"APP_ENV", fmt::format("'{}' is not development, testing or production", env_text)});
  const auto& env_table = per_env[static_cast<int>(c.env_)];

  // 3. Every declared option: default < file < per-environment file table < environment.
  for (const auto& s : c.specs_) {
    config::entry e{s.default_for(c.env_), value_source::default_value};
    if (auto it = top.find(s.name); it != top.end()) e = {it->second, value_source::file};
    if (auto it = env_table.find(s.name); it != env_table.end()) e = {it->second, value_source::file};
    if (auto v = getenv(s.name)) e = {*v, value_source::environment};
    const bool typed = s.type != option_type::string && s.type != option_type::list;
    if (typed && e.value.empty()) {
      c.problems_.push_back({s.name, fmt::format("is set but empty; unset it to use the default '{}'",
                                                 s.default_for(c.env_))});
    } else if (!e.value.empty()) {
      if (auto problem = validate_option(s, e.value))
        c.problems_.push_back({s.name, s.secret ? "invalid value (not shown: secret)" : *problem});
    }
    c.values_[s.name] = std::move(e);
  }
  c.values_["APP_ENV"].value = std::string(to_string(c.env_));

  // 4. Keys in the file that nobody declared are typos until proven otherwise.
  auto check_known = [&](const std::map<std::string, std::string, std::less<>>& m) {
    for (const auto& [k, v] : m) {
      if (c.spec(k)) continue;
      std::string best;
      std::size_t best_d = 3;
      for (const auto& s : c.specs_)
        if (auto d = edit_distance(k, s.name); d < best_d) best_d = d, best = s.name;
      c.problems_.push_back({k, best.empty() ? fmt::format("unknown option in {}", file)
                                             : fmt::format("unknown option in {}; did you mean {}?", file, best)});
    }
  };
  check_known(top);
  for (const auto& m : per_env) check_known(m);

  c.resolve_secret_key(sources);
  return c;
}

}  // namespace bastion
