#pragma once
// Path patterns with typed parameters: "/posts/{id:int}", "/users/{name}",
// "/static/{file:path}".
//
// Types: `str` (default; one non-empty segment), `int` (1-18 decimal digits, so it
// always fits an int64), `path` (the rest of the path, may contain '/'; last only).
#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bastion {

enum class param_type { str, integer, path };

class route_pattern {
 public:
  struct segment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
    param_type type = param_type::str;
  };

  // Parses a pattern. Errors name the problem: must start with '/', unknown type,
  // duplicate parameter, `path` not last, bad parameter name.
  static boost::system::result<route_pattern> parse(std::string_view pattern, std::string* why = nullptr);

  const std::string& text() const noexcept { return text_; }
  bool is_static() const noexcept { return static_; }
  const std::vector<segment>& segments() const noexcept { return segments_; }

  // Matches a decoded path; on success appends (name, value) views into `path`.
  bool match(std::string_view path, std::vector<std::pair<std::string_view, std::string_view>>& params) const;

  // Builds a path from parameter values, percent-encoding them and checking their types.
  // Fails when a parameter is missing or does not fit its type.
  boost::system::result<std::string> build(
      const std::vector<std::pair<std::string, std::string>>& params) const;

  // True when both patterns match exactly the same paths (same shape and types).
  bool same_shape(const route_pattern& other) const noexcept;

 private:
  std::string text_;
  std::vector<segment> segments_;
  bool static_ = true;
};

}  // namespace bastion
