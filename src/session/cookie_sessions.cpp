// SESSION_STORE_URI=cookie://: the whole session record in the cookie, signed and
// timestamped (Flask's default, as an option here). Nothing is kept on the server, so
// nothing on the server can end such a session before its absolute timeout: logout deletes
// the cookie in this browser only, and a copy keeps working. `check --deploy` says so
// (auth.W004). The data is signed, not encrypted: the user can read it.
#include <bastion/session/session_manager.hpp>

#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/util/base64.hpp>

namespace bastion {
namespace {

// Browsers keep cookies up to 4096 bytes, name and attributes included.
constexpr std::size_t max_cookie_value = 3800;

}  // namespace

void session_manager::load_cookie_session(request& req, session& s) const {
  const bool secure = options_.cookie_secure || req.is_secure();
  const auto cookie = req.cookies().get(cookie_name(secure));
  if (!cookie) return;
  s.clear_cookie_ = true;  // until the cookie proves good
  const auto now = unix_now();
  const auto payload = data_signer_.unsign_timed(*cookie, options_.absolute_timeout, now);
  const auto json = payload ? base64url_decode(*payload) : std::nullopt;
  auto rec = json ? session_record_from_json(*json) : std::nullopt;
  if (!rec) {
    log::info("security.session", "session_cookie_invalid", {{"request_id", req.request_id()}});
    return;
  }
  if (now - rec->last_seen > options_.idle_timeout.count() || now - rec->created > options_.absolute_timeout.count()) {
    log::info("security.session", "session_expired", {{"request_id", req.request_id()}});
    return;
  }
  s.record_ = std::move(*rec);
  s.loaded_ = true;
  s.clear_cookie_ = false;
}

void session_manager::commit_cookie_session(request& req, response& res, session& s) const {
  const auto now = unix_now();
  if (s.destroyed_) {
    if (s.loaded_ || s.clear_cookie_) clear_cookie(req, res);
    return;
  }
  const bool has_content = !s.record_.data.empty() || !s.record_.user_id.empty() || !s.record_.csrf_secret.empty();
  const bool touch = s.loaded_ && now - s.record_.last_seen >= options_.touch_interval.count();
  if ((!s.dirty_ && !s.regenerate_ && !touch) || (!has_content && !s.loaded_)) {
    if (s.clear_cookie_) clear_cookie(req, res);
    return;
  }
  if (s.record_.created == 0 || !s.loaded_) s.record_.created = now;
  s.record_.last_seen = now;
  auto value = data_signer_.sign_timed(base64url_encode(to_json(s.record_)), now);
  if (value.size() > max_cookie_value) {
    // A browser would drop it silently and the user would be logged out at random.
    log::error("security.session", "session_too_large_for_a_cookie",
               {{"request_id", req.request_id()}, {"bytes", value.size()}, {"limit", max_cookie_value}});
    throw http_error(500);
  }
  set_cookie(req, res, std::move(value));
  s.loaded_ = true;
  s.regenerate_ = false;
  s.dirty_ = false;
}

}  // namespace bastion
