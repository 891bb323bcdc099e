#include <bastion/http/static_files.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/util/strings.hpp>

#include <boost/system/errc.hpp>
#include <fmt/format.h>

#include <ctime>
#include <fstream>
#include <sys/stat.h>

namespace bastion {
namespace {

namespace fs = std::filesystem;

boost::system::error_code refused() { return make_error_code(boost::system::errc::no_such_file_or_directory); }

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  return std::string(buf, std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm));
}

std::optional<std::time_t> parse_http_date(std::string_view s) {
  std::tm tm{};
  std::string text(s);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return timegm(&tm);
}

}  // namespace

std::string_view content_type_for(std::string_view name) noexcept {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const auto ext = name.substr(dot + 1);
  struct entry {
    std::string_view ext, type;
  };
  static constexpr entry table[] = {
      {"html", "text/html; charset=utf-8"}, {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"}, {"mjs", "text/javascript; charset=utf-8"},
      {"json", "application/json"}, {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"}, {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"},
      {"gif", "image/gif"}, {"webp", "image/webp"}, {"ico", "image/x-icon"}, {"pdf", "application/pdf"},
      {"woff", "font/woff"}, {"woff2", "font/woff2"}, {"map", "application/json"}, {"wasm", "application/wasm"},
  };
  for (const auto& e : table)
    if (iequals(ext, e.ext)) return e.type;
  return "application/octet-stream";
}

boost::system::result<fs::path> resolve_static_path(const fs::path& canonical_root, std::string_view requested) {
  if (requested.empty() || requested.front() == '/') return refused();
  if (requested.find('\0') != std::string_view::npos || requested.find('\\') != std::string_view::npos)
    return refused();
  for (std::string_view rest = requested;;) {
    const auto slash = rest.find('/');
    const auto seg = rest.substr(0, slash);
    if (seg.empty() || seg.front() == '.') return refused();  // "", ".", "..", ".env"
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  std::error_code ec;
  const auto real = fs::canonical(canonical_root / fs::path(std::string(requested)), ec);
  if (ec) return refused();
  // The real path must stay under the root: symlinks pointing out are refused.
  const auto& root = canonical_root.native();
  const auto& p = real.native();
  if (p.size() <= root.size() || p.compare(0, root.size(), root) != 0 || p[root.size()] != '/') return refused();
  // ... and may not be hidden there, even when reached through a symlink with a plain name.
  if (std::string_view(p).substr(root.size()).find("/.") != std::string_view::npos) return refused();
  if (!fs::is_regular_file(real, ec) || ec) return refused();
  return real;
}

handler make_static_handler(static_options options) {
  std::error_code ec;
  auto root = fs::canonical(options.root, ec);
  if (ec || !fs::is_directory(root))
    throw std::invalid_argument(fmt::format("static root '{}' is not a directory", options.root));
  const auto cache_control = fmt::format("public, max-age={}", options.max_age.count());
  return [root = std::move(root), options = std::move(options), cache_control](request& req, response& res) {
    auto path = resolve_static_path(root, req.param(options.param));
    if (!path) throw http_error(404);
    struct stat st {};
    if (::stat(path->c_str(), &st) != 0 || static_cast<std::uintmax_t>(st.st_size) > options.max_file_bytes)
      throw http_error(404);
    const auto etag = fmt::format("\"{:x}-{:x}\"", static_cast<std::uintmax_t>(st.st_size),
                                  static_cast<std::uintmax_t>(st.st_mtim.tv_sec) * 1000000000ull + st.st_mtim.tv_nsec);
    res.set_header("ETag", etag);
    res.set_header("Last-Modified", http_date(st.st_mtime));
    res.set_header("Cache-Control", cache_control);
    res.set_header("X-Content-Type-Options", "nosniff");
    const auto inm = req.header("if-none-match");
    bool not_modified = false;
    if (!inm.empty()) {
      for (auto tag : split_list(inm))
        if (tag == etag || tag == "*" || (tag.starts_with("W/") && tag.substr(2) == etag)) not_modified = true;
    } else if (auto ims = parse_http_date(req.header("if-modified-since"))) {
      not_modified = st.st_mtime <= *ims;
    }
    if (not_modified) {
      res.status(304);
      return;
    }
    std::ifstream in(*path, std::ios::binary);
    std::string body(static_cast<std::size_t>(st.st_size), '\0');
    if (!in.read(body.data(), static_cast<std::streamsize>(body.size()))) throw http_error(404);
    res.text(body, content_type_for(path->filename().native()));
  };
}

}  // namespace bastion
