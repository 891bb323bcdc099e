#include <bastion/templates/templates.hpp>

#include <bastion/log/log.hpp>

#include <boost/system/errc.hpp>
#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace bastion {
namespace {

namespace mstch = kainjow::mustache;

mstch::data to_data(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      mstch::data d{mstch::data::type::object};
      for (const auto& [k, e] : v.get_object()) d.set(std::string(k), to_data(e));
      return d;
    }
    case boost::json::kind::array: {
      mstch::data d{mstch::data::type::list};
      for (const auto& e : v.get_array()) d.push_back(to_data(e));
      return d;
    }
    case boost::json::kind::string: return mstch::data(std::string(v.get_string()));
    case boost::json::kind::bool_: return v.get_bool() ? mstch::data(mstch::data::type::bool_true)
                                                       : mstch::data(mstch::data::type::bool_false);
    case boost::json::kind::int64: return mstch::data(std::to_string(v.get_int64()));
    case boost::json::kind::uint64: return mstch::data(std::to_string(v.get_uint64()));
    case boost::json::kind::double_: return mstch::data(fmt::format("{}", v.get_double()));
    case boost::json::kind::null: return mstch::data(mstch::data::type::bool_false);
  }
  return mstch::data(mstch::data::type::bool_false);
}

// Data lookups go to the page data; `{{> name}}` goes to the templates, so a data key
// that happens to share a template's name ("post") cannot shadow a partial.
class page_context final : public mstch::basic_context<std::string> {
 public:
  page_context(const mstch::data* data, const std::map<std::string, mstch::data, std::less<>>& partials)
      : inner_(data), partials_(partials) {}
  void push(const mstch::data* d) override { inner_.push(d); }
  void pop() override { inner_.pop(); }
  const mstch::data* get(const std::string& name) const override { return inner_.get(name); }
  const mstch::data* get_partial(const std::string& name) const override {
    auto it = partials_.find(name);
    return it == partials_.end() ? nullptr : &it->second;
  }

 private:
  mstch::context<std::string> inner_;
  const std::map<std::string, mstch::data, std::less<>>& partials_;
};

boost::system::error_code render_failed() {
  return make_error_code(boost::system::errc::invalid_argument);
}

}  // namespace

template_engine::template_engine(std::string dir) : dir_(std::move(dir)) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".mustache") continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const auto name = it->path().stem().string();
    mstch::mustache check(ss.str());
    if (!check.is_valid()) {
      problems_.push_back(fmt::format("template {}: {}", name, check.error_message()));
      continue;
    }
    sources_.emplace(name, ss.str());
  }
  if (ec) problems_.push_back(fmt::format("templates directory '{}' cannot be read", dir_));
}

template_engine::template_engine(const std::map<std::string, std::string>& sources) : dir_("(embedded)") {
  for (const auto& [name, src] : sources) {
    mstch::mustache check(src);
    if (!check.is_valid()) {
      problems_.push_back(fmt::format("template {}: {}", name, check.error_message()));
      continue;
    }
    sources_.emplace(name, src);
  }
}

boost::system::result<std::string> template_engine::render(std::string_view name, const boost::json::value& data,
                                                           std::string_view layout) const {
  auto page = sources_.find(name);
  if (page == sources_.end()) {
    log::error("templates", "template_missing", {{"template", name}});
    return render_failed();
  }
  const mstch::data values = data.is_object() ? to_data(data) : mstch::data(mstch::data::type::object);
  // Every template is available as a partial.
  std::map<std::string, mstch::data, std::less<>> partials;
  for (const auto& [n, src] : sources_) {
    const std::string* text = &src;
    partials.emplace(n, mstch::data(mstch::partial([text] { return *text; })));
  }
  std::string entry = page->second;
  if (!layout.empty()) {
    auto l = sources_.find(layout);
    if (l == sources_.end()) {
      log::error("templates", "template_missing", {{"template", layout}});
      return render_failed();
    }
    const std::string* text = &page->second;
    partials.insert_or_assign("content", mstch::data(mstch::partial([text] { return *text; })));
    entry = l->second;
  }
  mstch::mustache tmpl(entry);
  page_context ctx(&values, partials);
  std::string out = tmpl.render(ctx);
  if (!tmpl.is_valid()) {
    log::error("templates", "render_failed", {{"template", name}, {"reason", tmpl.error_message()}});
    return render_failed();
  }
  return out;
}

}  // namespace bastion
