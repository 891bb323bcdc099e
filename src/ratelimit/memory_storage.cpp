#include "ratelimit/memory_storage.hpp"

#include "ratelimit/window_math.hpp"

#include <array>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

namespace bastion::detail {
namespace {

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

struct entry {
  std::variant<fixed_state, counter_state, moving_state, gcra_state> state;
  std::int64_t expires = 0;  // ms: after this the entry holds nothing that matters
};

template <class State>
State& state_for(entry& e) {
  if (!std::holds_alternative<State>(e.state)) e.state = State{};
  return std::get<State>(e.state);
}

constexpr std::size_t shard_count = 64;

class memory_storage final : public limit_storage {
 public:
  explicit memory_storage(std::size_t max_keys) : per_shard_(std::max<std::size_t>(16, max_keys / shard_count)) {}

  boost::system::result<hit_result> hit(rate_strategy s, std::string_view key, const rate_limit& limit,
                                        std::uint64_t cost, std::int64_t now_ms) override {
    // Every sweep_every hits (counted per thread, so threads share no counter), a few
    // buckets of one shard in turn drop their expired keys, so keys nobody hits again do
    // not linger in quiet shards, at a bounded cost per hit.
    thread_local std::uint64_t hits = 0;
    if (++hits % sweep_every == 0) {
      auto& victim = shards_[(hits / sweep_every) % shard_count];
      std::lock_guard lock(victim.m);
      sweep_some(victim, now_ms);
    }
    const auto h = string_hash{}(key);
    auto& shard = shards_[h % shard_count];
    std::lock_guard lock(shard.m);
    auto it = shard.map.find(key);
    if (it == shard.map.end()) {
      if (shard.map.size() >= per_shard_) make_room(shard, now_ms);
      it = shard.map.emplace(std::string(key), entry{}).first;
    }
    auto& e = it->second;
    const auto p = period_ms(limit);
    hit_result r;
    switch (s) {
      case rate_strategy::fixed_window: {
        auto& st = state_for<fixed_state>(e);
        r = fixed_hit(st, limit, cost, now_ms);
        e.expires = st.window_start + p;
        break;
      }
      case rate_strategy::sliding_window_counter: {
        auto& st = state_for<counter_state>(e);
        r = sliding_counter_hit(st, limit, cost, now_ms);
        e.expires = st.window_start + 2 * p;
        break;
      }
      case rate_strategy::moving_window: {
        auto& st = state_for<moving_state>(e);
        r = moving_hit(st, limit, cost, now_ms);
        e.expires = st.hits.empty() ? now_ms : st.hits.back() + p;
        break;
      }
      case rate_strategy::gcra: {
        auto& st = state_for<gcra_state>(e);
        r = gcra_hit(st, limit, cost, now_ms);
        e.expires = ceil_ms(st.tat_us);
        break;
      }
    }
    return r;
  }

  bool ping() override { return true; }
  std::size_t keys() {
    std::size_t n = 0;
    for (auto& shard : shards_) {
      std::lock_guard lock(shard.m);
      n += shard.map.size();
    }
    return n;
  }
  std::string_view kind() const noexcept override { return "memory"; }

 private:
  struct alignas(64) shard_t {
    std::mutex m;
    std::unordered_map<std::string, entry, string_hash, std::equal_to<>> map;
    std::size_t sweep_cursor = 0;
  };
  static constexpr std::uint64_t sweep_every = 64;
  static constexpr std::size_t sweep_buckets = 16;

  static void sweep(shard_t& shard, std::int64_t now) {
    std::erase_if(shard.map, [now](const auto& kv) { return kv.second.expires <= now; });
  }

  // The next sweep_buckets buckets of `shard`.
  static void sweep_some(shard_t& shard, std::int64_t now) {
    const auto buckets = shard.map.bucket_count();
    if (buckets == 0 || shard.map.empty()) return;
    for (std::size_t i = 0; i < sweep_buckets; ++i) {
      const auto b = shard.sweep_cursor++ % buckets;
      for (auto it = shard.map.begin(b); it != shard.map.end(b);) {
        if (it->second.expires > now) {
          ++it;
          continue;
        }
        const auto dead = it->first;  // erasing invalidates the bucket iterator: restart the bucket
        ++it;
        shard.map.erase(dead);
        it = shard.map.begin(b);
      }
    }
  }

  void make_room(shard_t& shard, std::int64_t now) {
    sweep(shard, now);
    if (shard.map.size() < per_shard_) return;
    // Still full of live keys: drop the one closest to expiry among a sample.
    auto victim = shard.map.begin();
    std::size_t looked = 0;
    for (auto it = shard.map.begin(); it != shard.map.end() && looked < 16; ++it, ++looked)
      if (it->second.expires < victim->second.expires) victim = it;
    shard.map.erase(victim);
  }

  std::size_t per_shard_;
  std::array<shard_t, shard_count> shards_;
};

}  // namespace

std::unique_ptr<limit_storage> make_memory_storage(std::size_t max_keys) {
  return std::make_unique<memory_storage>(max_keys);
}

std::size_t memory_storage_keys(limit_storage& storage) { return dynamic_cast<memory_storage&>(storage).keys(); }

}  // namespace bastion::detail
