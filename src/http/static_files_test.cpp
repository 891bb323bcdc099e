#include <bastion/http/static_files.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/util/random.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace bastion {
namespace {

namespace fs = std::filesystem;
using verb = boost::beast::http::verb;

void write_file(const fs::path& p, std::string_view content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

// A served directory beside one that must stay private:
//
//   <base>/root/a.txt, sub/b.css, .env, sub/.hidden, page.html, inside.txt -> a.txt,
//              escape.txt -> ../outside/secret.txt, outdir -> ../outside,
//              sibling.txt -> ../root-evil/f.txt
//   <base>/outside/secret.txt
//   <base>/root-evil/f.txt   (shares the root's name as a prefix)
class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("bastion-static-test-" + random_hex(8));
    root_ = base_ / "root";
    fs::create_directories(root_ / "sub");
    fs::create_directories(base_ / "outside");
    fs::create_directories(base_ / "root-evil");
    write_file(root_ / "a.txt", "hello");
    write_file(root_ / "sub" / "b.css", "body{}");
    write_file(root_ / "page.html", "<p>hi</p>");
    write_file(root_ / ".env", "SECRET_KEY=x");
    write_file(root_ / "sub" / ".hidden", "x");
    write_file(base_ / "outside" / "secret.txt", "top secret");
    write_file(base_ / "root-evil" / "f.txt", "evil");
    fs::create_symlink(root_ / "a.txt", root_ / "inside.txt");
    fs::create_symlink(base_ / "outside" / "secret.txt", root_ / "escape.txt");
    fs::create_directory_symlink(base_ / "outside", root_ / "outdir");
    fs::create_symlink(fs::path("..") / "root-evil" / "f.txt", root_ / "sibling.txt");
    canonical_root_ = fs::canonical(root_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  // Runs the handler the way the router would for GET /static/<file>.
  void serve(const handler& h, std::string_view file, response& res,
             std::initializer_list<std::pair<std::string_view, std::string_view>> headers = {}) {
    request req;
    ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/static/" + std::string(file), 11));
    for (const auto& [n, v] : headers) req.add_header(n, v);
    req.add_param("file", file);
    h(req, res);
  }

  fs::path base_, root_, canonical_root_;
};

TEST_F(StaticFiles, ResolvesRegularFilesInsideTheRoot) {
  struct row {
    const char* name;
    std::string_view requested;
    fs::path expected;  // relative to the root
  };
  const row rows[] = {
      {"TopLevelFile", "a.txt", "a.txt"},
      {"FileInSubdirectory", "sub/b.css", "sub/b.css"},
      {"SymlinkToAFileInside", "inside.txt", "a.txt"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto resolved = resolve_static_path(canonical_root_, r.requested);
    ASSERT_TRUE(resolved) << resolved.error().message();
    EXPECT_EQ(*resolved, canonical_root_ / r.expected);
  }
}

TEST_F(StaticFiles, RefusesEverythingElse) {
  struct row {
    const char* name;
    std::string_view requested;
  };
  const row rows[] = {
      {"Empty", ""},
      {"AbsolutePath", "/etc/passwd"},
      {"AbsolutePathInsideRoot", "/a.txt"},
      {"ParentSegment", "../x"},
      {"ParentSegmentToOutside", "../outside/secret.txt"},
      {"ParentSegmentBackInside", "sub/../a.txt"},
      {"DotSegment", "./a.txt"},
      {"DotSegmentInside", "sub/./b.css"},
      {"HiddenFile", ".env"},
      {"HiddenFileInSubdirectory", "sub/.hidden"},
      {"Backslash", "a\\b"},
      {"BackslashTraversal", "..\\outside\\secret.txt"},
      {"EmbeddedNul", std::string_view("a.txt\0.png", 10)},
      {"Missing", "missing.txt"},
      {"Directory", "sub"},
      {"DirectoryWithSlash", "sub/"},
      {"TrailingSlashAfterFile", "a.txt/"},
      {"EmptySegment", "sub//b.css"},
      {"SymlinkToAFileOutside", "escape.txt"},
      {"ThroughASymlinkedDirectoryOutside", "outdir/secret.txt"},
      {"SymlinkToASiblingSharingTheRootPrefix", "sibling.txt"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto resolved = resolve_static_path(canonical_root_, r.requested);
    EXPECT_FALSE(resolved) << resolved->string();
  }
}

TEST_F(StaticFiles, ServesAFileWithValidatorsAndTypeHeaders) {
  const auto h = make_static_handler({.root = root_.string()});
  response res;
  serve(h, "a.txt", res);
  EXPECT_EQ(res.status(), 200u);
  EXPECT_EQ(res.body(), "hello");
  EXPECT_EQ(res.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res.header("Cache-Control"), "public, max-age=3600");
  const auto etag = res.header("ETag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  const auto modified = res.header("Last-Modified");
  EXPECT_TRUE(modified.ends_with(" GMT")) << modified;
  EXPECT_EQ(modified.size(), std::string_view("Thu, 01 Jan 1970 00:00:00 GMT").size()) << modified;
}

TEST_F(StaticFiles, ContentTypeComesFromTheExtension) {
  const auto h = make_static_handler({.root = root_.string()});
  struct row {
    const char* name;
    std::string_view file;
    std::string_view type;
  };
  const row rows[] = {
      {"Css", "sub/b.css", "text/css; charset=utf-8"},
      {"Html", "page.html", "text/html; charset=utf-8"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    response res;
    serve(h, r.file, res);
    EXPECT_EQ(res.header("Content-Type"), r.type);
  }
}

TEST_F(StaticFiles, AnswersConditionalRequestsWith304AndNoBody) {
  const auto h = make_static_handler({.root = root_.string()});
  response first;
  serve(h, "a.txt", first);
  const std::string etag(first.header("ETag"));
  const std::string modified(first.header("Last-Modified"));
  ASSERT_FALSE(etag.empty());

  struct row {
    const char* name;
    std::string_view header, value;
    unsigned status;
  };
  const std::string weak = "W/" + etag;
  const std::string in_list = "\"other\", " + etag;
  const row rows[] = {
      {"SameEtag", "If-None-Match", etag, 304},
      {"WeakEtag", "If-None-Match", weak, 304},
      {"EtagInAList", "If-None-Match", in_list, 304},
      {"Star", "If-None-Match", "*", 304},
      {"OtherEtag", "If-None-Match", "\"other\"", 200},
      {"SameDate", "If-Modified-Since", modified, 304},
      {"OlderDate", "If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT", 200},
      {"UnparsableDate", "If-Modified-Since", "yesterday", 200},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    response res;
    serve(h, "a.txt", res, {{r.header, r.value}});
    EXPECT_EQ(res.status(), r.status);
    EXPECT_EQ(res.body(), r.status == 304 ? "" : "hello");
    EXPECT_EQ(res.header("ETag"), etag);
  }
}

TEST_F(StaticFiles, IfNoneMatchWinsOverIfModifiedSince) {
  const auto h = make_static_handler({.root = root_.string()});
  response first;
  serve(h, "a.txt", first);
  response res;
  serve(h, "a.txt", res, {{"If-None-Match", "\"other\""}, {"If-Modified-Since", first.header("Last-Modified")}});
  EXPECT_EQ(res.status(), 200u);
  EXPECT_EQ(res.body(), "hello");
}

TEST_F(StaticFiles, RefusedNamesThrowNotFound) {
  const auto h = make_static_handler({.root = root_.string()});
  for (std::string_view file : {".env", "../outside/secret.txt", "escape.txt", "missing.txt", "sub", ""}) {
    SCOPED_TRACE(std::string(file));
    response res;
    try {
      serve(h, file, res);
      ADD_FAILURE() << "no exception";
    } catch (const http_error& e) {
      EXPECT_EQ(e.status(), 404u);
    }
    EXPECT_TRUE(res.body().empty());
  }
}

TEST_F(StaticFiles, FilesAboveTheSizeLimitAreNotFound) {
  const auto h = make_static_handler({.root = root_.string(), .max_file_bytes = 3});
  response res;
  try {
    serve(h, "a.txt", res);
    ADD_FAILURE() << "no exception";
  } catch (const http_error& e) {
    EXPECT_EQ(e.status(), 404u);
  }
  response small;
  write_file(root_ / "tiny.txt", "abc");
  serve(h, "tiny.txt", small);
  EXPECT_EQ(small.body(), "abc");
}

TEST_F(StaticFiles, UsesTheConfiguredParameterAndMaxAge) {
  const auto h = make_static_handler({.root = root_.string(), .param = "path", .max_age = std::chrono::seconds(60)});
  request req;
  ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/assets/a.txt", 11));
  req.add_param("file", "missing.txt");
  req.add_param("path", "a.txt");
  response res;
  h(req, res);
  EXPECT_EQ(res.body(), "hello");
  EXPECT_EQ(res.header("Cache-Control"), "public, max-age=60");
}

TEST_F(StaticFiles, RefusesARootThatIsNotADirectory) {
  EXPECT_THROW(make_static_handler({.root = (base_ / "nope").string()}), std::invalid_argument);
  EXPECT_THROW(make_static_handler({.root = (root_ / "a.txt").string()}), std::invalid_argument);
}

TEST(ContentTypeFor, MapsKnownExtensionsCaseInsensitively) {
  struct row {
    const char* name;
    std::string_view file, type;
  };
  const row rows[] = {
      {"Unknown", "program.exe", "application/octet-stream"},
      {"NoExtension", "README", "application/octet-stream"},
      {"TrailingDot", "file.", "application/octet-stream"},
      {"OnlyTheLastExtensionCounts", "archive.tar.gz", "application/octet-stream"},
      {"HtmlThenTxt", "page.html.txt", "text/plain; charset=utf-8"},
      {"Html", "index.html", "text/html; charset=utf-8"},
      {"UpperCase", "STYLE.CSS", "text/css; charset=utf-8"},
      {"Css", "site.css", "text/css; charset=utf-8"},
      {"Js", "app.js", "text/javascript; charset=utf-8"},
      {"Mjs", "mod.mjs", "text/javascript; charset=utf-8"},
      {"Json", "data.json", "application/json"},
      {"Txt", "robots.txt", "text/plain; charset=utf-8"},
      {"Svg", "logo.svg", "image/svg+xml"},
      {"Png", "a.png", "image/png"},
      {"Jpg", "a.jpg", "image/jpeg"},
      {"Jpeg", "a.jpeg", "image/jpeg"},
      {"Gif", "a.gif", "image/gif"},
      {"Webp", "a.webp", "image/webp"},
      {"Ico", "favicon.ico", "image/x-icon"},
      {"Pdf", "doc.pdf", "application/pdf"},
      {"Woff", "f.woff", "font/woff"},
      {"Woff2", "f.woff2", "font/woff2"},
      {"SourceMap", "app.js.map", "application/json"},
      {"Wasm", "m.wasm", "application/wasm"},
      {"DotInDirectoryName", "v1.2/README", "application/octet-stream"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(content_type_for(r.file), r.type);
  }
}

}  // namespace
}  // namespace bastion
