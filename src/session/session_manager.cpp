#include <bastion/session/session_manager.hpp>

#include "session/remember_me.hpp"

#include <bastion/http/http_error.hpp>
#include <bastion/log/log.hpp>
#include <bastion/util/digest.hpp>
#include <bastion/util/random.hpp>

#include <algorithm>
#include <stdexcept>

namespace bastion {
namespace {

// The store key of a session id: hex SHA-256, so the store never holds a usable id.
std::string store_key(std::string_view id) { return sha256_hex(id); }

bool has_authorization(const request& req) { return req.has_header("authorization"); }

void note(std::string_view event, const request& req, boost::json::object fields = {}) {
  static log::rate_limited throttle(std::chrono::seconds(1));
  std::uint64_t suppressed = 0;
  if (!throttle.allow(suppressed)) return;
  fields["request_id"] = req.request_id();
  fields["client"] = req.client_address();
  fields["suppressed"] = suppressed;
  log::info("security.session", event, std::move(fields));
}

std::unique_ptr<session_store> open_store(const session_options& o) {
  // cookie:// keeps nothing on the server; an empty memory store answers the registry
  // ("no sessions") so the rest needs no special case.
  auto s = open_session_store(o.store_uri == "cookie://" ? "memory://" : o.store_uri,
                              o.store_uri == "cookie://" ? session_store_options{.memory_max_sessions = 16} : o.store);
  if (!s) throw std::invalid_argument("SESSION_STORE_URI must be memory://, redis://host:port/db, database:// or cookie://");
  return std::move(*s);
}

}  // namespace

session_manager::session_manager(session_options options, const key_ring& keys)
    : session_manager(options, keys, open_store(options)) {}

session_manager::session_manager(session_options options, const key_ring& keys, std::unique_ptr<session_store> store)
    : options_(std::move(options)),
      signer_(keys.signer("session")),
      data_signer_(keys.signer("session-cookie")),
      store_(std::move(store)),
      in_cookie_(options_.store_uri == "cookie://"),
      cookie_names_{options_.cookie_name, "__Host-" + options_.cookie_name},
      remember_names_{options_.remember_cookie_name, "__Host-" + options_.remember_cookie_name} {
  if (in_cookie_ && options_.remember_me)
    throw std::invalid_argument("REMEMBER_ME needs server-side sessions (SESSION_STORE_URI other than cookie://)");
  if (options_.remember_me) remember_ = std::make_unique<detail::remember_me>(*store_, options_.remember_duration);
}

session_manager::~session_manager() = default;

const std::string& session_manager::cookie_name(bool secure) const { return cookie_names_[secure]; }

std::chrono::seconds session_manager::ttl(const session_record& r, std::int64_t now) const {
  const auto left_absolute = r.created + options_.absolute_timeout.count() - now;
  return std::chrono::seconds(std::max<std::int64_t>(1, std::min<std::int64_t>(options_.idle_timeout.count(), left_absolute)));
}

void session_manager::load(request& req, session& s) const {
  if (in_cookie_) return load_cookie_session(req, s);
  s.remember_allowed_ = remember_ != nullptr;
  load_session(req, s);
  if (remember_ && !s.authenticated()) load_remembered(req, s);
}

void session_manager::load_session(request& req, session& s) const {
  const bool secure = options_.cookie_secure || req.is_secure();
  const auto cookie = req.cookies().get(cookie_name(secure));
  if (!cookie) return;
  s.clear_cookie_ = true;  // until the cookie proves good
  const auto id = signer_.unsign(*cookie);
  if (!id) {
    note("session_cookie_invalid", req);  // tampered, truncated, or signed with a retired key
    return;
  }
  auto key = store_key(*id);
  auto loaded = store_->load(key);
  if (!loaded) {
    static log::rate_limited throttle(std::chrono::seconds(10));
    std::uint64_t suppressed = 0;
    if (throttle.allow(suppressed))
      log::warn("security.session", "session_store_failed", {{"store", store_->kind()}, {"error", loaded.error().message()},
                                                              {"suppressed", suppressed}});
    s.clear_cookie_ = false;  // the session may well exist: keep the cookie for when the store is back
    return;
  }
  if (!loaded->has_value()) {
    note("session_unknown", req);  // expired, logged out, or ended by its user or an admin
    return;
  }
  auto& rec = **loaded;
  const auto now = unix_now();
  if (now - rec.last_seen > options_.idle_timeout.count() || now - rec.created > options_.absolute_timeout.count()) {
    note("session_expired", req, {{"idle_s", now - rec.last_seen}, {"age_s", now - rec.created}});
    (void)store_->remove(key, rec.user_id);
    return;
  }
  s.record_ = std::move(rec);
  s.id_ = std::string(*id);
  s.key_ = std::move(key);
  s.loaded_ = true;
  s.clear_cookie_ = false;
}

// No live session, but a remember-me cookie: log its user back in under a new session id,
// and hand the browser the next token of the chain.
bool session_manager::load_remembered(request& req, session& s) const {
  const bool secure = options_.cookie_secure || req.is_secure();
  const auto cookie = req.cookies().get(remember_cookie(secure));
  if (!cookie) return false;
  const auto r = remember_->redeem(*cookie, unix_now());
  using outcome = detail::remembered::outcome;
  if (r.result == outcome::stolen) {
    note("remember_token_reused", req, {{"user_id", r.user_id}});
    s.clear_remember_ = true;
  }
  // An unknown token may be one another request of this browser has just rotated: the
  // cookie is left alone (it logs nobody in).
  if (r.result != outcome::logged_in) return false;
  // As login() does: the anonymous values (if any) stay, the id and the CSRF secret change.
  s.record_.user_id = r.user_id;
  s.record_.csrf_secret.clear();
  s.record_.created = 0;
  s.next_remember_cookie_ = r.next_cookie;
  s.next_remember_age_ = r.seconds_left;
  s.regenerate_ = true;
  s.dirty_ = true;
  s.clear_cookie_ = false;
  note("remembered_login", req, {{"user_id", r.user_id}});
  return true;
}

void session_manager::commit_remember(request& req, response& res, session& s, std::int64_t now) const {
  if (!remember_ || s.record_.user_id.empty()) return;
  if (s.remember_) {
    if (auto token = remember_->issue(s.record_.user_id, now))
      set_remember_cookie(req, res, std::move(*token), remember_->duration().count());
  } else if (!s.next_remember_cookie_.empty()) {
    set_remember_cookie(req, res, std::move(s.next_remember_cookie_), s.next_remember_age_);
  }
  s.remember_ = false;
  s.next_remember_cookie_.clear();
}

void session_manager::commit(request& req, response& res, session& s) const {
  if (in_cookie_) return commit_cookie_session(req, res, s);
  const auto now = unix_now();
  if (s.clear_remember_) set_remember_cookie(req, res, {}, 0);
  if (s.destroyed_) {
    if (s.loaded_) (void)store_->remove(s.key_, s.record_.user_id.empty() ? std::string_view{} : std::string_view(s.record_.user_id));
    if (s.loaded_ || s.clear_cookie_) clear_cookie(req, res);
    if (remember_) {
      const bool secure = options_.cookie_secure || req.is_secure();
      if (const auto cookie = req.cookies().get(remember_cookie(secure))) {
        remember_->forget(*cookie);
        if (!s.clear_remember_) set_remember_cookie(req, res, {}, 0);
      }
    }
    return;
  }
  const bool has_content = !s.record_.data.empty() || !s.record_.user_id.empty() || !s.record_.csrf_secret.empty();
  const bool fresh = !s.loaded_ || s.regenerate_;
  if (!s.dirty_ && !s.regenerate_) {
    if (s.loaded_ && now - s.record_.last_seen >= options_.touch_interval.count()) {
      s.record_.last_seen = now;
      (void)store_->save(s.key_, s.record_, ttl(s.record_, now));  // a missed touch costs nothing
    }
    if (s.clear_cookie_) clear_cookie(req, res);
    return;
  }
  if (!has_content && !s.loaded_) {
    if (s.clear_cookie_) clear_cookie(req, res);
    return;
  }
  const auto old_key = s.key_;
  const auto old_user = s.loaded_ ? s.record_.user_id : std::string{};
  if (fresh) {
    s.id_ = random_token(32);
    s.key_ = store_key(s.id_);
  }
  if (s.record_.created == 0 || !s.loaded_) s.record_.created = now;
  s.record_.last_seen = now;
  if (auto saved = store_->save(s.key_, s.record_, ttl(s.record_, now)); !saved) {
    log::warn("security.session", "session_save_failed", {{"request_id", req.request_id()}, {"store", store_->kind()},
                                                          {"error", saved.error().message()}});
    throw http_error(503);  // a login or logout that did not stick must not look like it did
  }
  if (fresh && s.loaded_) (void)store_->remove(old_key, old_user);  // the old id is void (fixation)
  if (fresh) set_cookie(req, res, signer_.sign(s.id_));
  commit_remember(req, res, s, now);
  s.loaded_ = true;
  s.regenerate_ = false;
  s.dirty_ = false;
}

void session_manager::set_cookie(request& req, response& res, std::string value) const {
  const bool secure = options_.cookie_secure || req.is_secure();
  bastion::set_cookie c;
  c.name = cookie_name(secure);
  c.value = std::move(value);
  c.secure = secure;
  c.http_only = true;
  c.site = options_.cookie_same_site;
  res.set_cookie(c);  // no Max-Age: the browser forgets it on exit; the store ends it on time
}

const std::string& session_manager::remember_cookie(bool secure) const { return remember_names_[secure]; }

// An empty value deletes the cookie.
void session_manager::set_remember_cookie(request& req, response& res, std::string value, std::int64_t max_age) const {
  const bool secure = options_.cookie_secure || req.is_secure();
  auto c = expired_cookie(remember_cookie(secure));
  if (!value.empty()) {
    c.value = std::move(value);
    c.max_age = std::chrono::seconds(max_age);
  }
  c.secure = secure;
  c.site = options_.cookie_same_site;
  res.set_cookie(c);
}

void session_manager::clear_cookie(request& req, response& res) const {
  const bool secure = options_.cookie_secure || req.is_secure();
  auto c = expired_cookie(cookie_name(secure));
  c.secure = secure;
  c.site = options_.cookie_same_site;
  res.set_cookie(c);
}

middleware session_manager::layer() const {
  return {"sessions", [this](request& req, response& res, const next_fn& next) {
            auto& s = req.emplace<session>();
            if (has_authorization(req)) {
              s.available_ = false;  // bearer-authenticated: no ambient authority from cookies
              next(req, res);
              return;
            }
            load(req, s);
            next(req, res);
            if (res.status() >= 500) return;  // a failed request changes no session
            commit(req, res, s);
            if (s.loaded_) {
              // A page made for one session (its user, its CSRF token) is nobody else's.
              res.set_header_if_absent("Cache-Control", "no-store");
              res.add_header("Vary", "Cookie");
            }
          }};
}

std::vector<session_info> session_manager::sessions_of(std::string_view user_id, request* req) const {
  std::vector<session_info> out;
  auto keys = store_->keys_of_user(user_id);
  if (!keys) return out;
  const auto* mine = req ? find_session(*req) : nullptr;
  const auto now = unix_now();
  for (const auto& k : *keys) {
    if (k.starts_with(detail::remember_key_prefix)) continue;  // a remembered browser, not a session
    auto rec = store_->load(k);
    if (!rec || !rec->has_value() || (*rec)->user_id != user_id) continue;
    const auto& r = **rec;
    if (now - r.last_seen > options_.idle_timeout.count() || now - r.created > options_.absolute_timeout.count()) continue;
    out.push_back({k.substr(0, 16), r.created, r.last_seen, mine && mine->key_ == k});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.last_seen > b.last_seen; });
  return out;
}

bool session_manager::end_session(std::string_view user_id, std::string_view handle) const {
  if (handle.size() != 16) return false;
  auto keys = store_->keys_of_user(user_id);
  if (!keys) return false;
  for (const auto& k : *keys)
    if (!k.starts_with(detail::remember_key_prefix) && k.compare(0, 16, handle) == 0)
      return static_cast<bool>(store_->remove(k, user_id));
  return false;
}

std::optional<std::size_t> session_manager::end_user_sessions(std::string_view user_id, request* keep) const {
  const auto* mine = keep ? find_session(*keep) : nullptr;
  auto n = store_->remove_user(user_id, mine && mine->loaded_ ? std::string_view(mine->key_) : std::string_view{});
  if (!n) return std::nullopt;
  log::info("security.session", "user_sessions_ended", {{"user_id", user_id}, {"count", *n}});
  return *n;
}

}  // namespace bastion
