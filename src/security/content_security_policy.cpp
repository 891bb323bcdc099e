#include <bastion/security/content_security_policy.hpp>

#include <bastion/util/strings.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace bastion {
namespace {

constexpr std::array<std::string_view, csp_directive_count> names = {
    "default-src", "script-src", "style-src", "img-src", "font-src", "connect-src", "media-src", "object-src",
    "frame-src", "child-src", "worker-src", "manifest-src", "frame-ancestors", "base-uri", "form-action",
};

constexpr std::string_view quoted_keywords[] = {
    "'self'", "'none'", "'unsafe-inline'", "'unsafe-eval'", "'strict-dynamic'", "'unsafe-hashes'",
    "'report-sample'", "'wasm-unsafe-eval'", "'inline-speculation-rules'",
};

bool is_scheme_source(std::string_view s) noexcept {  // "https:", "data:"
  if (s.size() < 2 || s.back() != ':') return false;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  return true;
}

bool is_hash_source(std::string_view s) noexcept {
  for (std::string_view p : {"'sha256-", "'sha384-", "'sha512-"})
    if (s.starts_with(p) && s.size() > p.size() + 1 && s.back() == '\'')
      return std::all_of(s.begin() + p.size(), s.end() - 1, [](char c) {  // base64 or base64url
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
               c == '-' || c == '_' || c == '=';
      });
  return false;
}

// Host sources: [scheme://]host[:port][/path], host may start with "*.", or "*" alone.
bool is_host_source(std::string_view s) noexcept {
  if (s == "*") return true;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("-._~:/*%[]@!$&()+=").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return !s.empty() && s.front() != '\'';
}

bool fetch_directive(csp_directive d) noexcept {
  return d != csp_directive::frame_ancestors && d != csp_directive::base_uri && d != csp_directive::form_action;
}

}  // namespace

std::string_view to_string(csp_directive d) noexcept { return names[static_cast<std::size_t>(d)]; }

std::optional<csp_directive> csp_directive_from(std::string_view name) noexcept {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (iequals(names[i], name)) return static_cast<csp_directive>(i);
  return std::nullopt;
}

content_security_policy content_security_policy::strict_default() {
  using d = csp_directive;
  const std::string self(csp::self), none(csp::none);
  content_security_policy p;
  p.set(d::default_src, {none});
  p.set(d::script_src, {self});
  p.set(d::style_src, {self});
  p.set(d::img_src, {self});
  p.set(d::font_src, {self});
  p.set(d::connect_src, {self});
  p.set(d::manifest_src, {self});
  p.set(d::form_action, {self});
  p.set(d::frame_ancestors, {self});
  p.set(d::base_uri, {none});
  p.set(d::object_src, {none});
  p.nonce_scripts(true).nonce_styles(true);
  return p;
}

content_security_policy& content_security_policy::set(csp_directive d, std::vector<std::string> sources) {
  sources_[static_cast<std::size_t>(d)] = std::move(sources);
  return *this;
}

content_security_policy& content_security_policy::add(csp_directive d, std::string source) {
  auto& v = sources_[static_cast<std::size_t>(d)];
  if (std::find(v.begin(), v.end(), source) == v.end()) v.push_back(std::move(source));
  return *this;
}

const std::vector<std::string>* content_security_policy::get(csp_directive d) const noexcept {
  const auto& v = sources_[static_cast<std::size_t>(d)];
  return v.empty() ? nullptr : &v;
}

std::vector<std::string> content_security_policy::problems() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    const auto d = static_cast<csp_directive>(i);
    const auto& v = sources_[i];
    const auto name = names[i];
    for (const auto& s : v) {
      if (s.empty() || s.find_first_of(" \t;,\r\n") != std::string::npos) {
        out.push_back(fmt::format("{}: source '{}' contains a space, ';' or ','; give each source separately", name, s));
        continue;
      }
      const bool keyword = std::find(std::begin(quoted_keywords), std::end(quoted_keywords), s) != std::end(quoted_keywords);
      if (keyword) {
        if (!fetch_directive(d) && s != csp::self && s != csp::none)
          out.push_back(fmt::format("{}: {} has no meaning here", name, s));
        continue;
      }
      if (s.starts_with("'nonce-")) {
        out.push_back(fmt::format("{}: a fixed nonce defeats the point of nonces; enable per-response nonces instead", name));
        continue;
      }
      if (is_hash_source(s)) {
        if (!fetch_directive(d)) out.push_back(fmt::format("{}: hashes have no meaning here", name));
        continue;
      }
      if (s.front() == '\'') {
        out.push_back(fmt::format("{}: unknown keyword {}", name, s));
        continue;
      }
      const std::string quoted = "'" + s + "'";
      if (std::find(std::begin(quoted_keywords), std::end(quoted_keywords), quoted) != std::end(quoted_keywords)) {
        out.push_back(fmt::format("{}: '{}' must be quoted: write {} (unquoted, it names a host called \"{}\")", name,
                                  s, quoted, s));
        continue;
      }
      if (!is_scheme_source(s) && !is_host_source(s))
        out.push_back(fmt::format("{}: '{}' is not a valid source expression", name, s));
    }
    if (v.size() > 1 && std::find(v.begin(), v.end(), csp::none) != v.end())
      out.push_back(fmt::format("{}: 'none' must stand alone (browsers ignore it next to other sources)", name));
  }
  using d = csp_directive;
  auto nonce_check = [&](d dir, bool on, std::string_view what) {
    if (!on) return;
    const auto* v = get(dir);
    if (!v) out.push_back(fmt::format("{} nonces are on but {} is not set", what, to_string(dir)));
    else if (std::find(v->begin(), v->end(), csp::none) != v->end())
      out.push_back(fmt::format("{} is 'none' but {} nonces are on; replace 'none' with 'self' or drop the nonces",
                                to_string(dir), what));
  };
  nonce_check(d::script_src, nonce_scripts_, "script");
  nonce_check(d::style_src, nonce_styles_, "style");
  if (const auto* v = get(d::script_src); v && std::find(v->begin(), v->end(), csp::strict_dynamic) != v->end()) {
    const bool hashes = std::any_of(v->begin(), v->end(), [](const std::string& s) { return is_hash_source(s); });
    if (!nonce_scripts_ && !hashes)
      out.push_back("script-src: 'strict-dynamic' without a nonce or hash blocks every script");
  }
  if (!report_uri_.empty() &&
      (report_uri_.find_first_of(" \t;,\r\n") != std::string::npos ||
       std::any_of(report_uri_.begin(), report_uri_.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }) ||
       !(report_uri_.front() == '/' || report_uri_.starts_with("https://") || report_uri_.starts_with("http://"))))
    out.push_back(fmt::format("report-uri '{}' must be a path or an absolute URL", report_uri_));
  if (!report_to_.empty() && !std::all_of(report_to_.begin(), report_to_.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      }))
    out.push_back(fmt::format("report-to '{}' must be an endpoint name (letters, digits, '-', '_')", report_to_));
  return out;
}

std::vector<std::string> content_security_policy::weaknesses() const {
  using d = csp_directive;
  std::vector<std::string> out;
  for (auto dir : {d::default_src, d::script_src, d::style_src, d::object_src}) {
    const auto* v = get(dir);
    if (!v) continue;
    for (const auto& s : *v) {
      if (s == csp::unsafe_eval) out.push_back(fmt::format("{} allows 'unsafe-eval'", to_string(dir)));
      else if (s == csp::unsafe_inline && !(dir == d::script_src && nonce_scripts_) && !(dir == d::style_src && nonce_styles_))
        out.push_back(fmt::format("{} allows 'unsafe-inline'", to_string(dir)));
      else if (s == "*" || s == "https:" || s == "http:" || (s == "data:" && dir != d::style_src))
        out.push_back(fmt::format("{} allows '{}' (any site)", to_string(dir), s));
      else if (s.starts_with("http://")) out.push_back(fmt::format("{} loads '{}' over plain http", to_string(dir), s));
    }
  }
  if (!get(d::object_src) && (!get(d::default_src) || get(d::default_src)->front() != csp::none))
    out.push_back("object-src is not 'none' (plugins can run)");
  if (!get(d::base_uri)) out.push_back("base-uri is not set (an injected <base> can redirect relative scripts)");
  if (!get(d::frame_ancestors)) out.push_back("frame-ancestors is not set (clickjacking)");
  if (!get(d::script_src) && !get(d::default_src)) out.push_back("neither script-src nor default-src is set");
  return out;
}

std::string content_security_policy::render(std::string_view nonce) const {
  std::string out;
  out.reserve(256);
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    const auto& v = sources_[i];
    if (v.empty()) continue;
    if (!out.empty()) out += "; ";
    out += names[i];
    for (const auto& s : v) {
      out += ' ';
      out += s;
    }
    const auto d = static_cast<csp_directive>(i);
    if (!nonce.empty() && ((d == csp_directive::script_src && nonce_scripts_) || (d == csp_directive::style_src && nonce_styles_))) {
      out += " 'nonce-";
      out += nonce;
      out += '\'';
    }
  }
  if (upgrade_) out += "; upgrade-insecure-requests";
  if (!report_uri_.empty()) {
    out += "; report-uri ";
    out += report_uri_;
  }
  if (!report_to_.empty()) {
    out += "; report-to ";
    out += report_to_;
  }
  return out;
}

}  // namespace bastion
