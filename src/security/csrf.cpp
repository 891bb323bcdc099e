#include <bastion/security/csrf.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/routing/route.hpp>
#include <bastion/session/session.hpp>
#include <bastion/util/base64.hpp>
#include <bastion/util/random.hpp>
#include <bastion/util/strings.hpp>

#include <array>
#include <cstring>
#include <stdexcept>

namespace bastion {
namespace {

// Raw token: expiry (8 bytes, big-endian Unix seconds) | key id (4 bytes) | MAC (32 bytes).
constexpr std::size_t raw_size = 8 + 4 + mac_size;

bool is_safe(http::verb m) noexcept {
  return m == http::verb::get || m == http::verb::head || m == http::verb::options || m == http::verb::trace;
}

std::string key_id_bytes(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    out += static_cast<char>(nib(hex[i]) << 4 | nib(hex[i + 1]));
  }
  return out;
}

std::string key_id_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

struct csrf_state {
  const csrf_protection* protection;
};

}  // namespace

std::string_view to_string(csrf_verdict v) noexcept {
  switch (v) {
    case csrf_verdict::not_checked: return "not_checked";
    case csrf_verdict::same_origin: return "same_origin";
    case csrf_verdict::trusted_origin: return "trusted_origin";
    case csrf_verdict::valid_token: return "valid_token";
    case csrf_verdict::cross_site: return "cross_site";
    case csrf_verdict::foreign_origin: return "foreign_origin";
    case csrf_verdict::missing_token: return "missing_token";
    case csrf_verdict::invalid_token: return "invalid_token";
    case csrf_verdict::expired_token: return "expired_token";
  }
  return "unknown";
}

csrf_protection::csrf_protection(csrf_options options, const key_ring& keys)
    : options_(std::move(options)), signer_(keys.signer("csrf")) {
  for (auto& o : options_.trusted_origins) o = to_lower(o);
}

std::string csrf_protection::token(request& req) const {
  auto* s = find_session(req);
  if (!s || !s->available()) throw std::logic_error("csrf_token: this request has no session");
  const auto& secret = s->csrf_secret();
  const auto expires = static_cast<std::uint64_t>(unix_now() + options_.time_limit.count());
  std::array<unsigned char, raw_size> raw;
  for (int i = 0; i < 8; ++i) raw[i] = static_cast<unsigned char>(expires >> (56 - 8 * i));
  const auto kid = key_id_bytes(signer_.key_id());
  std::memcpy(raw.data() + 8, kid.data(), 4);
  const auto tag = signer_.mac({secret, std::string_view(reinterpret_cast<const char*>(raw.data()), 12)});
  std::memcpy(raw.data() + 12, tag.data(), mac_size);
  // Masked: pad | raw XOR pad, with a fresh pad every time.
  std::array<unsigned char, 2 * raw_size> masked;
  random_bytes_pooled({masked.data(), raw_size});
  for (std::size_t i = 0; i < raw_size; ++i) masked[raw_size + i] = raw[i] ^ masked[i];
  return base64url_encode(masked);
}

csrf_verdict csrf_protection::check_token(request& req, std::string_view token) const {
  if (token.empty()) return csrf_verdict::missing_token;
  const auto masked = base64url_decode(token);
  if (!masked || masked->size() != 2 * raw_size) return csrf_verdict::invalid_token;
  std::array<unsigned char, raw_size> raw;
  for (std::size_t i = 0; i < raw_size; ++i)
    raw[i] = static_cast<unsigned char>((*masked)[raw_size + i] ^ (*masked)[i]);
  auto* s = find_session(req);
  // No session, or one that never made a token: the token is another session's.
  if (!s || !s->available() || s->csrf_secret_if_any().empty()) return csrf_verdict::invalid_token;
  const auto kid = key_id_hex({reinterpret_cast<const char*>(raw.data()) + 8, 4});
  if (!signer_.verify(kid, {s->csrf_secret_if_any(), std::string_view(reinterpret_cast<const char*>(raw.data()), 12)},
                      {raw.data() + 12, mac_size}))
    return csrf_verdict::invalid_token;
  std::uint64_t expires = 0;
  for (int i = 0; i < 8; ++i) expires = expires << 8 | raw[i];
  if (static_cast<std::int64_t>(expires) < unix_now()) return csrf_verdict::expired_token;
  return csrf_verdict::valid_token;
}

bool csrf_protection::origin_trusted(const request& req, std::string_view origin) const {
  const auto o = to_lower(origin);
  std::string own(req.scheme());
  own += "://";
  own += to_lower(req.host());
  if (o == own) return true;
  // The default port may be spelled out on one side only.
  const std::string_view default_port = req.is_secure() ? ":443" : ":80";
  if (own.ends_with(default_port) && o == own.substr(0, own.size() - default_port.size())) return true;
  if (o.ends_with(default_port) && o.substr(0, o.size() - default_port.size()) == own) return true;
  return std::find(options_.trusted_origins.begin(), options_.trusted_origins.end(), o) != options_.trusted_origins.end();
}

csrf_verdict csrf_protection::check(request& req) const {
  const auto site = req.header("sec-fetch-site");
  const auto origin = req.header("origin");
  if (iequals(site, "same-origin")) return csrf_verdict::same_origin;
  if (iequals(site, "cross-site")) return csrf_verdict::cross_site;
  // same-site (a sibling subdomain), none (typed or bookmarked), or no Fetch Metadata.
  if (!origin.empty() && !iequals(origin, "null")) {
    if (origin_trusted(req, origin)) return csrf_verdict::trusted_origin;
    if (site.empty()) return csrf_verdict::foreign_origin;
  } else if (iequals(origin, "null") && site.empty()) {
    return csrf_verdict::foreign_origin;  // sandboxed frames, file: pages, some redirects
  }
  std::string_view token = req.header(options_.header);
  if (token.empty()) {
    const auto& form = req.form();
    if (form) token = form->get(options_.field);
  }
  return check_token(req, trim_ows(token));
}

middleware csrf_protection::layer() const {
  return {"csrf", [this](request& req, response& res, const next_fn& next) {
            req.emplace<csrf_state>(csrf_state{this});
            const auto* r = req.matched_route();
            // 404 and 405 answers run no handler: nothing to protect, and the status says more.
            const bool answers_itself = !r || r->methods.empty();
            if (is_safe(req.method()) || answers_itself || r->options.csrf_exempt || req.has_header("authorization")) {
              next(req, res);
              return;
            }
            const auto verdict = check(req);
            if (!passed(verdict)) {
              log::warn("security.csrf", "csrf_failed",
                        {{"request_id", req.request_id()}, {"reason", to_string(verdict)},
                         {"route", r ? r->pattern.text() : ""}, {"client", req.client_address()}});
              throw http_error(403, "the form has expired or did not come from this site; reload the page and try again");
            }
            next(req, res);
            res.add_header("Vary", "Sec-Fetch-Site, Origin");
          }};
}

std::string csrf_token(request& req) {
  const auto* st = req.get<csrf_state>();
  if (!st) throw std::logic_error("csrf_token: CSRF protection is off for this request");
  return st->protection->token(req);
}

}  // namespace bastion
