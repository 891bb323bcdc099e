#pragma once
// Static files from one directory, safe against path traversal.
//
//   app.get("/static/{file:path}", make_static_handler({.root = "static"}));
//
// A requested name is refused (404, indistinguishable from a missing file) when it has
// a NUL or backslash, an empty, "." or ".." segment (also when sent percent-encoded:
// the path is decoded before it gets here), a hidden segment (".env"), or when the
// real path of the file, symlinks resolved, is outside the root. Responses carry an
// ETag and Last-Modified and answer conditional requests with 304.
#include <bastion/app/middleware.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace bastion {

struct static_options {
  std::string root;                          // directory served; must exist
  std::string param = "file";                // the route's {name:path} parameter
  std::chrono::seconds max_age{3600};        // Cache-Control: public, max-age
  std::uintmax_t max_file_bytes = 64 << 20;  // larger files are not served (404)
};

// Resolves `requested` (decoded, relative) under `canonical_root`. Fails for every
// refused case above and for files that do not exist or are not regular files.
boost::system::result<std::filesystem::path> resolve_static_path(const std::filesystem::path& canonical_root,
                                                                 std::string_view requested);

// A handler serving files from options.root. Throws std::invalid_argument at setup when
// the root does not exist.
handler make_static_handler(static_options options);

// The Content-Type for a file name's extension (application/octet-stream if unknown).
std::string_view content_type_for(std::string_view filename) noexcept;

}  // namespace bastion
