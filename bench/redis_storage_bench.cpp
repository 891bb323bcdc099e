// Rate-limit checks per second against a Redis over loopback: each check is one hit, one
// EVALSHA round trip, from 1 thread and from 8 threads sharing one storage (its default
// pool of 8 connections).
//
//   export BASTION_TEST_REDIS_URL=$(scripts/redis-test-server.sh start)
//   build/bastion_bench --benchmark_filter=Redis --benchmark_min_time=1
//
// Distinct: every thread its own key, admitted (throughput). OneKey: all threads on one
// key (the server runs one script at a time anyway). Refused: the limit is reached.
#include <bastion/ratelimit/storage.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

namespace {

using bastion::rate_strategy;

bastion::limit_storage* redis_storage(benchmark::State& state) {
  static const std::unique_ptr<bastion::limit_storage> storage = [] {
    std::unique_ptr<bastion::limit_storage> s;
    const char* url = std::getenv("BASTION_TEST_REDIS_URL");
    if (url == nullptr || *url == '\0') return s;
    if (auto opened = bastion::open_limit_storage(url)) s = std::move(*opened);
    return s;
  }();
  if (!storage) {
    state.SkipWithError("BASTION_TEST_REDIS_URL is not set (scripts/redis-test-server.sh start)");
    return nullptr;
  }
  return storage.get();
}

std::string run_prefix() {
  static const std::string prefix = "bench:" + std::to_string(std::random_device{}()) + ":";
  return prefix;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

enum class keys { distinct, one, refused };

void run(benchmark::State& state, keys mode) {
  auto* storage = redis_storage(state);
  if (storage == nullptr) return;
  const auto strategy = static_cast<rate_strategy>(state.range(0));
  // Generous, except the moving window's, which keeps an entry per admitting millisecond.
  const bastion::rate_limit generous{strategy == rate_strategy::moving_window ? 10'000u : 1'000'000'000u,
                                     std::chrono::seconds(60), ""};
  const bastion::rate_limit tight{1, std::chrono::seconds(3600), ""};
  const auto& limit = mode == keys::refused ? tight : generous;
  const std::string base = run_prefix() + std::to_string(static_cast<int>(mode)) + ":";
  const std::string key = mode == keys::one ? base + "one" : base + std::to_string(state.thread_index());
  std::int64_t failed = 0, admitted = 0;
  for (auto _ : state) {
    auto r = storage->hit(strategy, key, limit, 1, now_ms());
    if (!r)
      ++failed;
    else if (r->allowed)
      ++admitted;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failed"] = benchmark::Counter(static_cast<double>(failed), benchmark::Counter::kAvgThreads);
  state.counters["admitted"] = benchmark::Counter(static_cast<double>(admitted), benchmark::Counter::kAvgThreads);
  state.SetLabel(std::string(to_string(strategy)));
}

void BM_RedisHitDistinct(benchmark::State& state) { run(state, keys::distinct); }
void BM_RedisHitOneKey(benchmark::State& state) { run(state, keys::one); }
void BM_RedisHitRefused(benchmark::State& state) { run(state, keys::refused); }

// 0 fixed window, 1 moving window, 2 sliding window counter, 3 gcra.
BENCHMARK(BM_RedisHitDistinct)->DenseRange(0, 3)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_RedisHitOneKey)->Arg(0)->Arg(3)->Threads(8)->UseRealTime();
BENCHMARK(BM_RedisHitRefused)->Arg(1)->Arg(3)->Threads(1)->UseRealTime();

}  // namespace
