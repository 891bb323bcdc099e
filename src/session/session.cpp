#include <bastion/session/session.hpp>

#include <bastion/http/request.hpp>
#include <bastion/util/random.hpp>

#include <stdexcept>

namespace bastion {

std::string session::handle() const { return key_.substr(0, 16); }

const boost::json::value* session::get(std::string_view key) const noexcept { return record_.data.if_contains(key); }

void session::set(std::string_view key, boost::json::value value) {
  record_.data[key] = std::move(value);
  dirty_ = true;
}

void session::erase(std::string_view key) {
  if (record_.data.erase(key)) dirty_ = true;
}

void session::login(std::string user_id) {
  if (user_id.empty()) throw std::invalid_argument("session::login needs a user id");
  record_.user_id = std::move(user_id);
  record_.csrf_secret.clear();  // tokens made before the login are void
  record_.created = 0;          // the absolute timeout counts from the login (set when saved)
  destroyed_ = false;
  regenerate_ = true;
  dirty_ = true;
}

bool session::remember() noexcept {
  remember_ = remember_allowed_;
  return remember_;
}

void session::destroy() {
  destroyed_ = true;
  record_ = {};
  dirty_ = false;
  remember_ = false;
}

const std::string& session::csrf_secret() {
  if (record_.csrf_secret.empty()) {
    record_.csrf_secret = random_token(32);
    dirty_ = true;
  }
  return record_.csrf_secret;
}

session* find_session(request& req) noexcept { return req.get<session>(); }

session& session_of(request& req) {
  auto* s = req.get<session>();
  if (!s) throw std::logic_error("no session for this request: sessions are off (SESSIONS=false) or the route is a probe");
  return *s;
}

}  // namespace bastion
