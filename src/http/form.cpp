#include <bastion/http/form.hpp>

#include <boost/url/encoding_opts.hpp>
#include <boost/url/pct_string_view.hpp>

#include <optional>

namespace bastion {
namespace {

class form_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "bastion.form"; }
  std::string message(int ev) const override {
    switch (static_cast<form_errc>(ev)) {
      case form_errc::malformed: return "malformed form or query encoding";
      case form_errc::too_many_fields: return "too many form fields";
      case form_errc::too_large: return "form too large";
      case form_errc::wrong_content_type: return "not an urlencoded form";
    }
    return "unknown form error";
  }
};

// Percent-decodes one component with '+' as space; nullopt on bad encoding or NUL.
std::optional<std::string> decode_component(std::string_view s) {
  auto pct = boost::urls::make_pct_string_view(s);
  if (!pct) return std::nullopt;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  std::string out = pct->decode(opts);
  if (out.find('\0') != std::string::npos) return std::nullopt;
  return out;
}

}  // namespace

const boost::system::error_category& form_category() noexcept {
  static const form_category_impl instance;
  return instance;
}

boost::system::error_code make_error_code(form_errc e) noexcept {
  return {static_cast<int>(e), form_category()};
}

std::string_view form_data::get(std::string_view name) const noexcept {
  for (const auto& [k, v] : pairs_)
    if (k == name) return v;
  return {};
}

bool form_data::contains(std::string_view name) const noexcept {
  for (const auto& p : pairs_)
    if (p.first == name) return true;
  return false;
}

std::vector<std::string_view> form_data::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : pairs_)
    if (k == name) out.push_back(v);
  return out;
}

boost::system::result<form_data> parse_urlencoded(std::string_view encoded, const form_limits& limits) {
  if (encoded.size() > limits.max_bytes) return make_error_code(form_errc::too_large);
  form_data out;
  while (!encoded.empty()) {
    const auto amp = encoded.find('&');
    const auto pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view{} : encoded.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2"
    if (out.size() == limits.max_fields) return make_error_code(form_errc::too_many_fields);
    const auto eq = pair.find('=');
    auto name = decode_component(pair.substr(0, eq));
    auto value = decode_component(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || !value) return make_error_code(form_errc::malformed);
    out.add(std::move(*name), std::move(*value));
  }
  return out;
}

}  // namespace bastion
