#pragma once
// Query strings and application/x-www-form-urlencoded bodies, decoded with Boost.URL,
// with limits on by default.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bastion {

struct form_limits {
  std::size_t max_fields = 1000;         // name=value pairs (Flask MAX_FORM_PARTS, Django: 1000)
  std::size_t max_bytes = 500 * 1000;    // encoded size (Flask MAX_FORM_MEMORY_SIZE)
};

enum class form_errc {
  malformed = 1,       // bad percent-encoding or a NUL byte
  too_many_fields,     // more pairs than form_limits::max_fields
  too_large,           // more bytes than form_limits::max_bytes
  wrong_content_type,  // form() on a body that is not urlencoded
};
const boost::system::error_category& form_category() noexcept;
boost::system::error_code make_error_code(form_errc e) noexcept;

// Decoded pairs in the order they arrived; a name may repeat.
class form_data {
 public:
  // First value for `name`, or empty.
  std::string_view get(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept;
  std::vector<std::string_view> get_all(std::string_view name) const;
  std::size_t size() const noexcept { return pairs_.size(); }
  const std::vector<std::pair<std::string, std::string>>& pairs() const noexcept { return pairs_; }
  void add(std::string name, std::string value) { pairs_.emplace_back(std::move(name), std::move(value)); }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Parses `a=1&b=two+words&c=%C3%A9`. '+' means space. Never throws on bad input.
boost::system::result<form_data> parse_urlencoded(std::string_view encoded,
                                                  const form_limits& limits = {});

}  // namespace bastion

template <>
struct boost::system::is_error_code_enum<bastion::form_errc> : std::true_type {};
