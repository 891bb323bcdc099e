#include <bastion/templates/templates.hpp>

#include <bastion/util/random.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace bastion {
namespace {

namespace fs = std::filesystem;

boost::json::value data(std::string_view json) { return boost::json::parse(json); }

const std::string hostile = "<script>&\"'";

class Templates : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bastion-templates-test-" + random_hex(8));
    fs::create_directories(dir_);
    write("escaped.mustache", "<p>{{x}}</p>");
    write("triple.mustache", "<p>{{{x}}}</p>");
    write("ampersand.mustache", "<p>{{& x}}</p>");
    write("layout.mustache", "<html><title>{{title}}</title><main>{{> content}}</main></html>");
    write("page.mustache", "<h1>{{title}}</h1>{{x}}");
    write("post.mustache", "<article>{{title}}</article>");
    write("show.mustache", "[{{> post}}]");
    write("list.mustache", "{{#items}}<li>{{name}}</li>{{/items}}{{^items}}none{{/items}}");
    write("values.mustache", "{{n}}|{{u}}|{{d}}|{{#flag}}yes{{/flag}}{{^off}}no{{/off}}|{{#nothing}}x{{/nothing}}");
    write("broken.mustache", "{{#open}}never closed");
    write("notes.txt", "{{not a template}}");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void write(const std::string& name, std::string_view content) {
    std::ofstream out(dir_ / name, std::ios::binary);
    out << content;
  }
  std::string render(const template_engine& t, std::string_view name, const boost::json::value& v,
                     std::string_view layout = {}) {
    auto out = t.render(name, v, layout);
    if (!out) {
      ADD_FAILURE() << "render " << name << " failed";
      return {};
    }
    return *out;
  }
  fs::path dir_;
};

TEST_F(Templates, DoubleBracesEscapeHtml) {
  template_engine t(dir_.string());
  boost::json::object d;
  d["x"] = hostile;
  const auto out = render(t, "escaped", d);
  EXPECT_EQ(out, "<p>&lt;script&gt;&amp;&quot;&apos;</p>");
  EXPECT_EQ(out.find("<script>"), std::string::npos);
  EXPECT_EQ(out.find('\''), std::string::npos);
  EXPECT_EQ(out.find('"'), std::string::npos);
}

TEST_F(Templates, RawMarkersDoNotEscape) {
  template_engine t(dir_.string());
  boost::json::object d;
  d["x"] = hostile;
  struct row {
    const char* name;
    std::string_view tmpl;
  };
  const row rows[] = {
      {"TripleBraces", "triple"},
      {"Ampersand", "ampersand"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(render(t, r.tmpl, d), "<p>" + hostile + "</p>");
  }
}

TEST_F(Templates, LayoutWrapsThePageThroughTheContentPartial) {
  template_engine t(dir_.string());
  const auto out = render(t, "page", data(R"({"title":"A & B","x":"<b>"})"), "layout");
  EXPECT_EQ(out, "<html><title>A &amp; B</title><main><h1>A &amp; B</h1>&lt;b&gt;</main></html>");
}

TEST_F(Templates, PageWithoutLayoutIsRenderedAlone) {
  template_engine t(dir_.string());
  EXPECT_EQ(render(t, "page", data(R"({"title":"T","x":"y"})")), "<h1>T</h1>y");
}

TEST_F(Templates, DataKeyNamedLikeATemplateDoesNotShadowThePartial) {
  template_engine t(dir_.string());
  struct row {
    const char* name;
    std::string_view json;
    std::string expected;
  };
  const row rows[] = {
      {"NoSuchKey", R"({"title":"T"})", "[<article>T</article>]"},
      {"StringKey", R"({"title":"T","post":"<i>data</i>"})", "[<article>T</article>]"},
      {"ObjectKey", R"({"title":"T","post":{"title":"inner"}})", "[<article>T</article>]"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(render(t, "show", data(r.json)), r.expected);
  }
}

TEST_F(Templates, DataKeyNamedContentDoesNotReplaceThePage) {
  template_engine t(dir_.string());
  const auto out = render(t, "page", data(R"({"title":"T","x":"y","content":"<script>x</script>"})"), "layout");
  EXPECT_EQ(out, "<html><title>T</title><main><h1>T</h1>y</main></html>");
}

TEST_F(Templates, RendersJsonValuesOfEveryKind) {
  template_engine t(dir_.string());
  struct row {
    const char* name;
    std::string_view tmpl, json, expected;
  };
  const row rows[] = {
      {"List", "list", R"({"items":[{"name":"a"},{"name":"<b>"}]})", "<li>a</li><li>&lt;b&gt;</li>"},
      {"EmptyList", "list", R"({"items":[]})", "none"},
      {"MissingList", "list", R"({})", "none"},
      {"Scalars", "values", R"({"n":-42,"u":18446744073709551615,"d":1.5,"flag":true,"off":false,"nothing":null})",
       "-42|18446744073709551615|1.5|yesno|"},
      {"NotAnObject", "escaped", R"([1,2])", "<p></p>"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(render(t, r.tmpl, data(r.json)), r.expected);
  }
}

TEST_F(Templates, MissingTemplateOrLayoutFails) {
  template_engine t(dir_.string());
  EXPECT_FALSE(t.render("nope", data("{}")));
  EXPECT_FALSE(t.render("page", data("{}"), "no_layout"));
  EXPECT_FALSE(t.has("nope"));
}

TEST_F(Templates, InvalidTemplateIsListedAndCannotBeRendered) {
  template_engine t(dir_.string());
  ASSERT_EQ(t.problems().size(), 1u);
  EXPECT_NE(t.problems()[0].find("broken"), std::string::npos) << t.problems()[0];
  EXPECT_FALSE(t.has("broken"));
  EXPECT_FALSE(t.render("broken", data("{}")));
  EXPECT_TRUE(t.has("page"));  // the others still load
}

TEST_F(Templates, OnlyMustacheFilesAreTemplates) {
  template_engine t(dir_.string());
  EXPECT_FALSE(t.has("notes"));
  EXPECT_FALSE(t.has("notes.txt"));
  EXPECT_TRUE(t.has("escaped"));
}

TEST_F(Templates, UnreadableDirectoryIsAProblem) {
  template_engine t((dir_ / "missing").string());
  ASSERT_EQ(t.problems().size(), 1u);
  EXPECT_NE(t.problems()[0].find("cannot be read"), std::string::npos) << t.problems()[0];
  EXPECT_FALSE(t.render("page", data("{}")));
}

TEST(TemplatesInMemory, MapConstructorRendersAndChecks) {
  const template_engine t(std::map<std::string, std::string>{
      {"hello", "Hi {{name}}!"},
      {"frame", "<div>{{> content}}</div>"},
      {"bad", "{{/closing}}"},
  });
  ASSERT_EQ(t.problems().size(), 1u);
  EXPECT_NE(t.problems()[0].find("bad"), std::string::npos) << t.problems()[0];
  EXPECT_TRUE(t.has("hello"));
  EXPECT_FALSE(t.has("bad"));
  auto out = t.render("hello", boost::json::parse(R"({"name":"<b>Ada</b>"})"));
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, "Hi &lt;b&gt;Ada&lt;/b&gt;!");
  out = t.render("hello", boost::json::parse(R"({"name":"Ada"})"), "frame");
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, "<div>Hi Ada!</div>");
}

}  // namespace
}  // namespace bastion
