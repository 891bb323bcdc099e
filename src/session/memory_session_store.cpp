#include "session/memory_session_store.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace bastion::detail {
namespace {

using clock = std::chrono::steady_clock;

struct entry {
  session_record record;
  clock::time_point expires;
};

struct shard {
  std::mutex m;
  std::unordered_map<std::string, entry> sessions;
};

class memory_session_store final : public session_store {
 public:
  explicit memory_session_store(std::size_t max_sessions)
      : per_shard_(std::max<std::size_t>(1, max_sessions / shard_count)) {}

  boost::system::result<std::optional<session_record>> load(std::string_view key) override {
    auto& s = shard_of(key);
    std::lock_guard lock(s.m);
    auto it = s.sessions.find(std::string(key));
    if (it == s.sessions.end()) return std::optional<session_record>{};
    if (it->second.expires <= clock::now()) {
      forget(it->second.record.user_id, key);
      s.sessions.erase(it);
      return std::optional<session_record>{};
    }
    return std::optional<session_record>(it->second.record);
  }

  boost::system::result<void> save(std::string_view key, const session_record& r, std::chrono::seconds ttl) override {
    auto& s = shard_of(key);
    const auto now = clock::now();
    {
      std::lock_guard lock(s.m);
      auto it = s.sessions.find(std::string(key));
      if (it == s.sessions.end()) {
        if (s.sessions.size() >= per_shard_) make_room(s, now);
        it = s.sessions.emplace(std::string(key), entry{}).first;
      } else if (it->second.record.user_id != r.user_id) {
        forget(it->second.record.user_id, key);
      }
      it->second.record = r;
      it->second.expires = now + ttl;
    }
    if (!r.user_id.empty()) {
      std::lock_guard lock(users_m_);
      users_[r.user_id].insert(std::string(key));
    }
    return {};
  }

  boost::system::result<void> remove(std::string_view key, std::string_view user_id) override {
    auto& s = shard_of(key);
    {
      std::lock_guard lock(s.m);
      s.sessions.erase(std::string(key));
    }
    forget(user_id, key);
    return {};
  }

  boost::system::result<std::vector<std::string>> keys_of_user(std::string_view user_id) override {
    std::lock_guard lock(users_m_);
    auto it = users_.find(std::string(user_id));
    if (it == users_.end()) return std::vector<std::string>{};
    return std::vector<std::string>(it->second.begin(), it->second.end());
  }

  boost::system::result<std::size_t> remove_user(std::string_view user_id, std::string_view keep) override {
    std::unordered_set<std::string> keys;
    {
      std::lock_guard lock(users_m_);
      auto it = users_.find(std::string(user_id));
      if (it == users_.end()) return std::size_t{0};
      keys = std::move(it->second);
      users_.erase(it);
      if (!keep.empty() && keys.erase(std::string(keep))) users_[std::string(user_id)].insert(std::string(keep));
    }
    std::size_t removed = 0;
    for (const auto& k : keys) {
      auto& s = shard_of(k);
      std::lock_guard lock(s.m);
      auto it = s.sessions.find(k);
      if (it != s.sessions.end() && it->second.record.user_id == user_id) {
        s.sessions.erase(it);
        ++removed;
      }
    }
    return removed;
  }

  bool ping() override { return true; }
  std::string_view kind() const noexcept override { return "memory"; }

 private:
  static constexpr std::size_t shard_count = 16;

  shard& shard_of(std::string_view key) { return shards_[std::hash<std::string_view>{}(key) % shard_count]; }

  // Called with the shard locked. Expired records go first, then the soonest to expire.
  void make_room(shard& s, clock::time_point now) {
    std::vector<std::pair<std::string, std::string>> gone;  // key, user
    for (auto it = s.sessions.begin(); it != s.sessions.end();) {
      if (it->second.expires <= now) {
        gone.emplace_back(it->first, it->second.record.user_id);
        it = s.sessions.erase(it);
      } else {
        ++it;
      }
    }
    if (s.sessions.size() >= per_shard_) {
      auto oldest = std::min_element(s.sessions.begin(), s.sessions.end(),
                                     [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
      gone.emplace_back(oldest->first, oldest->second.record.user_id);
      s.sessions.erase(oldest);
    }
    for (const auto& [key, user] : gone) forget(user, key);
  }

  void forget(std::string_view user_id, std::string_view key) {
    if (user_id.empty()) return;
    std::lock_guard lock(users_m_);
    auto it = users_.find(std::string(user_id));
    if (it == users_.end()) return;
    it->second.erase(std::string(key));
    if (it->second.empty()) users_.erase(it);
  }

  std::size_t per_shard_;
  std::array<shard, shard_count> shards_;
  std::mutex users_m_;  // taken after a shard's lock, never before
  std::unordered_map<std::string, std::unordered_set<std::string>> users_;
};

}  // namespace

std::unique_ptr<session_store> make_memory_session_store(std::size_t max_sessions) {
  return std::make_unique<memory_session_store>(max_sessions);
}

}  // namespace bastion::detail
