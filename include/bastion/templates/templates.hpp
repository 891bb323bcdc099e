#pragma once
// HTML templates (Mustache, kainjow's implementation), escaped by default.
//
// `{{name}}` is HTML-escaped. Raw output needs `{{{name}}}` or `{{& name}}`: both are
// easy to grep for and should be rare. Every file `<dir>/<name>.mustache` is a template
// and also a partial (`{{> name}}`). A page rendered with a layout is inserted into the
// layout as the partial `{{> content}}`, so its escaping is untouched.
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

class template_engine {
 public:
  // Loads and checks every template in `dir`. Errors (unreadable dir, a template that
  // does not parse) are reported by problems() and make render fail for that template.
  explicit template_engine(std::string dir);
  // Uses templates already in memory (name -> source), e.g. compiled into the binary.
  explicit template_engine(const std::map<std::string, std::string>& sources);

  // Renders `name` with `data`; with a non-empty `layout`, inside that layout.
  // Fails (the caller answers 500) when a template is missing or invalid.
  boost::system::result<std::string> render(std::string_view name, const boost::json::value& data,
                                            std::string_view layout = {}) const;

  const std::vector<std::string>& problems() const noexcept { return problems_; }
  bool has(std::string_view name) const noexcept { return sources_.count(std::string(name)) != 0; }

 private:
  std::string dir_;
  std::map<std::string, std::string, std::less<>> sources_;
  std::vector<std::string> problems_;
};

}  // namespace bastion
