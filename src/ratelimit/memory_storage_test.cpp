#include "ratelimit/memory_storage.hpp"

#include "ratelimit/window_math.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace bastion::detail {
namespace {

constexpr rate_strategy all_strategies[] = {rate_strategy::fixed_window, rate_strategy::moving_window,
                                            rate_strategy::sliding_window_counter, rate_strategy::gcra};

TEST(MemoryStorage, AdmitsExactlyNUnderConcurrency) {
  for (auto s : all_strategies) {
    auto storage = make_memory_storage(10000);
    const rate_limit l{1000, std::chrono::seconds(3600), "1000 per 1 hour"};
    const std::int64_t now = 3600'000 * 100 + 5;  // early in a window, no roll-over during the test
    std::atomic<int> admitted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 200; ++i)
          if (storage->hit(s, "k", l, 1, now).value().allowed) ++admitted;
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(admitted.load(), 1000) << to_string(s);
  }
}

TEST(MemoryStorage, MatchesTheModelKeyByKey) {
  auto storage = make_memory_storage(10000);
  const rate_limit l{5, std::chrono::seconds(10), ""};
  for (auto s : all_strategies) {
    fixed_state f;
    moving_state m;
    counter_state c;
    gcra_state g;
    for (std::int64_t now = 0; now < 40000; now += 700) {
      const auto got = storage->hit(s, std::string("model-") + std::string(to_string(s)), l, 1 + now % 2, now).value();
      hit_result want;
      switch (s) {
        case rate_strategy::fixed_window: want = fixed_hit(f, l, 1 + now % 2, now); break;
        case rate_strategy::moving_window: want = moving_hit(m, l, 1 + now % 2, now); break;
        case rate_strategy::sliding_window_counter: want = sliding_counter_hit(c, l, 1 + now % 2, now); break;
        case rate_strategy::gcra: want = gcra_hit(g, l, 1 + now % 2, now); break;
      }
      EXPECT_EQ(got.allowed, want.allowed) << to_string(s) << " at " << now;
      EXPECT_EQ(got.remaining, want.remaining) << to_string(s) << " at " << now;
      EXPECT_EQ(got.retry_after_ms, want.retry_after_ms) << to_string(s) << " at " << now;
    }
  }
}

TEST(MemoryStorage, KeepsKeysSeparate) {
  auto storage = make_memory_storage(10000);
  const rate_limit l{1, std::chrono::seconds(60), ""};
  EXPECT_TRUE(storage->hit(rate_strategy::fixed_window, "a", l, 1, 1000).value().allowed);
  EXPECT_FALSE(storage->hit(rate_strategy::fixed_window, "a", l, 1, 1000).value().allowed);
  EXPECT_TRUE(storage->hit(rate_strategy::fixed_window, "b", l, 1, 1000).value().allowed);
}

TEST(MemoryStorage, AFloodOfDistinctKeysStaysWithinTheBound) {
  // 64 shards x 16 keys at least: with max 1024 the storage holds at most 1024 keys, and
  // a key that is still being limited survives a flood better than the flood's own keys.
  auto storage = make_memory_storage(1024);
  const rate_limit l{1, std::chrono::seconds(60), ""};
  for (int i = 0; i < 200000; ++i)
    ASSERT_TRUE(storage->hit(rate_strategy::fixed_window, "flood-" + std::to_string(i), l, 1, 1000));
  EXPECT_LE(memory_storage_keys(*storage), 1024u);
  // A fresh key is still tracked and limited.
  EXPECT_TRUE(storage->hit(rate_strategy::fixed_window, "victim", l, 1, 1000).value().allowed);
  EXPECT_FALSE(storage->hit(rate_strategy::fixed_window, "victim", l, 1, 1000).value().allowed);
}

TEST(MemoryStorage, ForgetsExpiredKeys) {
  auto storage = make_memory_storage(64 * 16);
  const rate_limit l{1, std::chrono::seconds(1), ""};
  for (int i = 0; i < 5000; ++i) storage->hit(rate_strategy::fixed_window, "old-" + std::to_string(i), l, 1, 1000);
  // Long after, the same keys start fresh, and the expired ones are swept.
  EXPECT_TRUE(storage->hit(rate_strategy::fixed_window, "old-4999", l, 1, 100000).value().allowed);
  for (int i = 0; i < 64 * 256; ++i) storage->hit(rate_strategy::fixed_window, "new-" + std::to_string(i % 10), l, 1, 100000);
  EXPECT_LE(memory_storage_keys(*storage), 64u * 16u);
  EXPECT_LT(memory_storage_keys(*storage), 200u);
}

}  // namespace
}  // namespace bastion::detail
