// Cost of a rate-limit check with the memory storage: one key (the hot path of a busy
// client), many keys (a crowd), each strategy, and all cores at once.
// Run: build/bastion_bench --benchmark_filter=Memory --benchmark_repetitions=5
#include "ratelimit/memory_storage.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

namespace {

using bastion::rate_strategy;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bastion::limit_storage& shared_storage() {
  static auto s = bastion::detail::make_memory_storage(1'000'000);
  return *s;
}

void BM_MemoryCheck(benchmark::State& state) {
  const auto strategy = static_cast<rate_strategy>(state.range(0));
  auto storage = bastion::detail::make_memory_storage(1'000'000);
  const bastion::rate_limit limit{1'000'000'000, std::chrono::seconds(3600), ""};
  const std::string key = "rl:/posts:1000000000:3600:198.51.100.7";
  const auto now = now_ms();
  for (auto _ : state) benchmark::DoNotOptimize(storage->hit(strategy, key, limit, 1, now));
  state.SetLabel(std::string(bastion::to_string(strategy)));
}
BENCHMARK(BM_MemoryCheck)->Arg(0)->Arg(2)->Arg(3);  // fixed, sliding counter, gcra (moving keeps a log per hit)

void BM_MemoryCheckMovingWindow(benchmark::State& state) {
  auto storage = bastion::detail::make_memory_storage(1'000'000);
  const bastion::rate_limit limit{100, std::chrono::seconds(60), ""};  // a log of at most 100 entries
  const std::string key = "rl:/login:100:60:198.51.100.7";
  std::int64_t now = now_ms();
  for (auto _ : state) benchmark::DoNotOptimize(storage->hit(rate_strategy::moving_window, key, limit, 1, now += 1000));
}
BENCHMARK(BM_MemoryCheckMovingWindow);

// 100k distinct clients, one check each in turn.
void BM_MemoryCheckManyKeys(benchmark::State& state) {
  auto storage = bastion::detail::make_memory_storage(1'000'000);
  const bastion::rate_limit limit{50, std::chrono::seconds(3600), ""};
  std::vector<std::string> keys;
  for (int i = 0; i < 100000; ++i) keys.push_back("rl:/posts:50:3600:10." + std::to_string(i / 65536) + "." +
                                                  std::to_string((i / 256) % 256) + "." + std::to_string(i % 256));
  const auto now = now_ms();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(storage->hit(rate_strategy::fixed_window, keys[i], limit, 1, now));
    if (++i == keys.size()) i = 0;
  }
}
BENCHMARK(BM_MemoryCheckManyKeys);

// All threads on one storage, each thread its own client (different shards mostly).
void BM_MemoryCheckThreads(benchmark::State& state) {
  auto& storage = shared_storage();
  const bastion::rate_limit limit{1'000'000'000, std::chrono::seconds(3600), ""};
  const std::string key = "rl:/posts:1000000000:3600:client-" + std::to_string(state.thread_index());
  const auto now = now_ms();
  for (auto _ : state) benchmark::DoNotOptimize(storage.hit(rate_strategy::fixed_window, key, limit, 1, now));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemoryCheckThreads)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
