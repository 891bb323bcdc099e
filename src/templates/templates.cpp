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

mstch::data::type type_for(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: return mstch::data::type::object;
    case boost::json::kind::array: return mstch::data::type::list;
    case boost::json::kind::bool_: return v.get_bool() ? mstch::data::type::bool_true : mstch::data::type::bool_false;
    case boost::json::kind::null: return mstch::data::type::bool_false;
    default: return mstch::data::type::string;
  }
}

std::string scalar_text(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::string: return std::string(v.get_string());
    case boost::json::kind::int64: return std::to_string(v.get_int64());
    case boost::json::kind::uint64: return std::to_string(v.get_uint64());
    case boost::json::kind::double_: return fmt::format("{}", v.get_double());
    default: return {};
  }
}

// Converts JSON into Mustache data in place. kainjow's data only offers copying
// setters, so children are inserted as empty shells and then filled where they live;
// building them first and inserting them would deep-copy every subtree once per level.
void fill(mstch::data& d, const boost::json::value& v) {
  if (v.is_object()) {
    for (const auto& [k, e] : v.get_object()) {
      const std::string key(k);
      if (type_for(e) == mstch::data::type::string) {
        d.set(key, mstch::data(scalar_text(e)));
      } else {
        d.set(key, mstch::data(type_for(e)));
        fill(*const_cast<mstch::data*>(d.get(key)), e);  // owned by `d`, which is not const
      }
    }
  } else if (v.is_array()) {
    // kainjow's data is copied, not moved, when a vector grows: reserve once.
    const_cast<mstch::basic_list<std::string>&>(d.list_value()).reserve(v.get_array().size());
    for (const auto& e : v.get_array()) {
      if (type_for(e) == mstch::data::type::string) {
        d.push_back(mstch::data(scalar_text(e)));
      } else {
        d.push_back(mstch::data(type_for(e)));
        fill(const_cast<mstch::data&>(d.list_value().back()), e);
      }
    }
  }
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
  mstch::data values(mstch::data::type::object);
  if (data.is_object()) fill(values, data);
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
