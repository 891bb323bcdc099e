#include "session/redis_session_store.hpp"

#include <string>

namespace bastion::detail {
namespace {

constexpr std::string_view session_prefix = "bastion:session:";
constexpr std::string_view user_prefix = "bastion:user-sessions:";

// KEYS[1] session, KEYS[2] user set; ARGV[1] record, ARGV[2] ttl (ms), ARGV[3] session key.
constexpr std::string_view save_script = R"lua(
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1
)lua";

// KEYS[1] session, KEYS[2] user set; ARGV[1] session key.
constexpr std::string_view remove_script = R"lua(
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1
)lua";

// KEYS[1] user set; ARGV[1] session key prefix, ARGV[2] the key to keep ('' = none).
constexpr std::string_view remove_user_script = R"lua(
local n = 0
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if k ~= ARGV[2] then
    n = n + redis.call('DEL', ARGV[1] .. k)
    redis.call('SREM', KEYS[1], k)
  end
end
return n
)lua";

std::string join(std::string_view a, std::string_view b) {
  std::string s;
  s.reserve(a.size() + b.size());
  s.append(a).append(b);
  return s;
}

class redis_session_store final : public session_store {
 public:
  redis_session_store(redis_endpoint ep, const session_store_options& o)
      : ep_(std::move(ep)), timeout_(o.timeout), tv_(to_timeval(o.timeout)), pool_(o.pool_size) {}

  boost::system::result<std::optional<session_record>> load(std::string_view key) override {
    auto reply = run({"GET", join(session_prefix, key)});
    if (!reply) return reply.error();
    const auto& r = **reply;
    if (r.type == REDIS_REPLY_NIL) return std::optional<session_record>{};
    if (r.type != REDIS_REPLY_STRING) return make_error_code(redis_errc::protocol);
    // A record that does not parse (written by something else) counts as no session.
    return session_record_from_json(std::string_view(r.str, r.len));
  }

  boost::system::result<void> save(std::string_view key, const session_record& rec, std::chrono::seconds ttl) override {
    const auto json = to_json(rec);
    const auto ms = std::to_string(std::chrono::milliseconds(ttl).count());
    auto reply = rec.user_id.empty()
                     ? run({"SET", join(session_prefix, key), json, "PX", ms})
                     : run({"EVAL", save_script, "2", join(session_prefix, key), join(user_prefix, rec.user_id), json, ms, key});
    if (!reply) return reply.error();
    return {};
  }

  boost::system::result<void> remove(std::string_view key, std::string_view user_id) override {
    auto reply = user_id.empty() ? run({"DEL", join(session_prefix, key)})
                                 : run({"EVAL", remove_script, "2", join(session_prefix, key), join(user_prefix, user_id), key});
    if (!reply) return reply.error();
    return {};
  }

  boost::system::result<std::vector<std::string>> keys_of_user(std::string_view user_id) override {
    auto reply = run({"SMEMBERS", join(user_prefix, user_id)});
    if (!reply) return reply.error();
    const auto& r = **reply;
    if (r.type != REDIS_REPLY_ARRAY) return make_error_code(redis_errc::protocol);
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < r.elements; ++i)
      if (r.element[i]->type == REDIS_REPLY_STRING) keys.emplace_back(r.element[i]->str, r.element[i]->len);
    return keys;
  }

  boost::system::result<std::size_t> remove_user(std::string_view user_id, std::string_view keep) override {
    auto reply = run({"EVAL", remove_user_script, "1", join(user_prefix, user_id), session_prefix, keep});
    if (!reply) return reply.error();
    if ((*reply)->type != REDIS_REPLY_INTEGER || (*reply)->integer < 0) return make_error_code(redis_errc::protocol);
    return static_cast<std::size_t>((*reply)->integer);
  }

  bool ping() override {
    auto reply = run({"PING"});
    return reply && (*reply)->type == REDIS_REPLY_STATUS;
  }

  std::string_view kind() const noexcept override { return "redis"; }

 private:
  // One command on a pooled connection; error replies become errors.
  boost::system::result<reply_ptr> run(std::initializer_list<std::string_view> args) {
    auto conn = pool_.take(timeout_);
    if (!conn) return make_error_code(redis_errc::timeout);
    if (auto e = (*conn)->ready(ep_, tv_)) return e;
    auto reply = (*conn)->command(args);
    if (!reply) return reply.error();
    if ((*reply)->type == REDIS_REPLY_ERROR) return make_error_code(reply_errc(**reply));
    return reply;
  }

  redis_endpoint ep_;
  std::chrono::milliseconds timeout_;
  timeval tv_;
  redis_pool pool_;
};

}  // namespace

std::unique_ptr<session_store> make_redis_session_store(redis_endpoint ep, const session_store_options& options) {
  return std::make_unique<redis_session_store>(std::move(ep), options);
}

}  // namespace bastion::detail
