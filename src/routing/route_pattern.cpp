#include <bastion/routing/route_pattern.hpp>

#include <boost/system/errc.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>

#include <fmt/format.h>

namespace bastion {
namespace {

bool is_identifier(std::string_view s) noexcept {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool is_int_segment(std::string_view s) noexcept {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// pchars percent-encoding, plus "." and ".." spelled %2E so that a client does not
// resolve them as dot segments (Django's reverse() does the same).
std::string encode_segment(std::string_view s) {
  if (s == ".") return "%2E";
  if (s == "..") return "%2E%2E";
  return boost::urls::encode(s, boost::urls::pchars);
}

boost::system::error_code invalid() { return make_error_code(boost::system::errc::invalid_argument); }

}  // namespace

boost::system::result<route_pattern> route_pattern::parse(std::string_view pattern, std::string* why) {
  auto fail = [&](std::string msg) -> boost::system::result<route_pattern> {
    if (why) *why = fmt::format("route pattern '{}': {}", pattern, msg);
    return invalid();
  };
  if (pattern.empty() || pattern.front() != '/') return fail("must start with '/'");
  route_pattern out;
  out.text_ = pattern;
  std::string_view rest = pattern.substr(1);
  while (true) {
    const auto slash = rest.find('/');
    const auto seg = rest.substr(0, slash);
    segment s;
    if (seg.starts_with('{')) {
      if (!seg.ends_with('}')) return fail("a parameter must be a whole segment like {name} or {name:int}");
      auto inner = seg.substr(1, seg.size() - 2);
      const auto colon = inner.find(':');
      const auto name = inner.substr(0, colon);
      const auto type = colon == std::string_view::npos ? std::string_view("str") : inner.substr(colon + 1);
      if (!is_identifier(name)) return fail(fmt::format("'{}' is not a valid parameter name", name));
      if (type == "str" || type == "string") s.type = param_type::str;
      else if (type == "int") s.type = param_type::integer;
      else if (type == "path") s.type = param_type::path;
      else return fail(fmt::format("unknown parameter type '{}' (use str, int or path)", type));
      for (const auto& other : out.segments_)
        if (other.is_param && other.text == name) return fail(fmt::format("parameter '{}' appears twice", name));
      if (s.type == param_type::path && slash != std::string_view::npos)
        return fail("a {name:path} parameter must be the last segment");
      s.text = name;
      s.is_param = true;
      out.static_ = false;
    } else {
      if (seg.find_first_of("{}") != std::string_view::npos)
        return fail("braces are only allowed around a whole segment");
      s.text = seg;
    }
    out.segments_.push_back(std::move(s));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

bool route_pattern::match(std::string_view path,
                          std::vector<std::pair<std::string_view, std::string_view>>& params) const {
  if (path.empty() || path.front() != '/') return false;
  std::string_view rest = path.substr(1);
  const auto first_param = params.size();
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const auto& s = segments_[i];
    if (s.is_param && s.type == param_type::path) {
      if (rest.empty()) break;
      params.emplace_back(s.text, rest);
      return true;
    }
    const auto slash = rest.find('/');
    const bool last_in_path = slash == std::string_view::npos;
    const bool last_in_pattern = i + 1 == segments_.size();
    if (last_in_path != last_in_pattern) break;
    const auto seg = rest.substr(0, slash);
    if (s.is_param) {
      if (seg.empty()) break;
      if (s.type == param_type::integer && !is_int_segment(seg)) break;
      params.emplace_back(s.text, seg);
    } else if (seg != s.text) {
      break;
    }
    if (last_in_pattern) return true;
    rest.remove_prefix(slash + 1);
  }
  params.resize(first_param);
  return false;
}

boost::system::result<std::string> route_pattern::build(
    const std::vector<std::pair<std::string, std::string>>& params) const {
  std::string out;
  for (const auto& s : segments_) {
    out += '/';
    if (!s.is_param) {
      out += s.text;
      continue;
    }
    const std::string* value = nullptr;
    for (const auto& [k, v] : params)
      if (k == s.text) value = &v;
    if (!value || value->empty()) return invalid();
    if (s.type == param_type::integer && !is_int_segment(*value)) return invalid();
    if (s.type == param_type::path) {
      // Keep the slashes, encode each piece.
      std::string_view rest = *value;
      bool first = true;
      while (true) {
        const auto slash = rest.find('/');
        if (!first) out += '/';
        out += encode_segment(rest.substr(0, slash));
        first = false;
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
      }
    } else {
      out += encode_segment(*value);
    }
  }
  if (out.empty()) out = "/";
  return out;
}

bool route_pattern::same_shape(const route_pattern& other) const noexcept {
  if (segments_.size() != other.segments_.size()) return false;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const auto& a = segments_[i];
    const auto& b = other.segments_[i];
    if (a.is_param != b.is_param) return false;
    if (a.is_param ? a.type != b.type : a.text != b.text) return false;
  }
  return true;
}

}  // namespace bastion
