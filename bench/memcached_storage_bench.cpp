// Rate-limit checks per second against a memcached over loopback: each check is one hit
// (a `gets` and a `cas`, or only the `gets` when refused), from 1 and 8 threads.
//
//   export BASTION_TEST_MEMCACHED_URL=$(scripts/memcached-test-server.sh start)
//   build/bastion_bench --benchmark_filter=Memcached --benchmark_min_time=1s
//
// Distinct: every thread its own keys (throughput). Shared: all threads on one key
// (contention: lost CAS races are retried). Refused: the limit is reached, reads only.
// The moving window is left out: under a limit this generous its log grows with every
// hit, which measures the item size rather than the check.
#include <bastion/ratelimit/storage.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

namespace {

using bastion::rate_strategy;

bastion::limit_storage* shared_storage(benchmark::State& state) {
  static const std::unique_ptr<bastion::limit_storage> storage = [] {
    std::unique_ptr<bastion::limit_storage> s;
    const char* url = std::getenv("BASTION_TEST_MEMCACHED_URL");
    if (url == nullptr || *url == '\0') return s;
    bastion::limit_storage_options options;
    options.pool_size = 8;
    if (auto opened = bastion::open_limit_storage(url, options)) s = std::move(*opened);
    return s;
  }();
  if (!storage) {
    state.SkipWithError("BASTION_TEST_MEMCACHED_URL is not set (scripts/memcached-test-server.sh start)");
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

enum class keys { distinct, shared, refused };

void run(benchmark::State& state, rate_strategy s, keys mode) {
  auto* storage = shared_storage(state);
  if (storage == nullptr) return;
  const bastion::rate_limit generous{1'000'000'000, std::chrono::seconds(3600), "1000000000 per 1 hour"};
  const bastion::rate_limit tight{1, std::chrono::seconds(3600), "1 per 1 hour"};
  const auto& limit = mode == keys::refused ? tight : generous;
  const std::string base = run_prefix() + std::string(to_string(s)) + ":" + std::to_string(static_cast<int>(mode)) + ":";
  const std::string key = mode == keys::shared ? base + "one" : base + std::to_string(state.thread_index());
  std::int64_t errors = 0, allowed = 0;
  for (auto _ : state) {
    auto r = storage->hit(s, key, limit, 1, now_ms());
    if (!r) {
      ++errors;
    } else if (r->allowed) {
      ++allowed;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["errors"] = static_cast<double>(errors);  // summed over the threads
  state.counters["allowed"] = static_cast<double>(allowed);
  if (errors > 0) state.SkipWithError("hits failed");
}

void BM_MemcachedStorageFixedDistinct(benchmark::State& state) { run(state, rate_strategy::fixed_window, keys::distinct); }
void BM_MemcachedStorageGcraDistinct(benchmark::State& state) { run(state, rate_strategy::gcra, keys::distinct); }
void BM_MemcachedStorageSlidingDistinct(benchmark::State& state) {
  run(state, rate_strategy::sliding_window_counter, keys::distinct);
}
void BM_MemcachedStorageFixedShared(benchmark::State& state) { run(state, rate_strategy::fixed_window, keys::shared); }
void BM_MemcachedStorageFixedRefused(benchmark::State& state) { run(state, rate_strategy::fixed_window, keys::refused); }

BENCHMARK(BM_MemcachedStorageFixedDistinct)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_MemcachedStorageGcraDistinct)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_MemcachedStorageSlidingDistinct)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_MemcachedStorageFixedShared)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_MemcachedStorageFixedRefused)->Threads(1)->Threads(8)->UseRealTime();

}  // namespace
