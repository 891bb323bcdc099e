// Rate-limit checks per second against the network storages over loopback: Redis (one
// EVALSHA round trip per check) and memcached (a `gets` and a `cas`, or only the `gets`
// when refused), from 1 thread and from 8 threads sharing one storage (its pool of 8).
//
//   export BASTION_TEST_REDIS_URL=$(scripts/redis-test-server.sh start)
//   export BASTION_TEST_MEMCACHED_URL=$(scripts/memcached-test-server.sh start)
//   build/bastion_bench --benchmark_filter='Redis|Memcached' --benchmark_min_time=1
//
// Distinct: every thread its own key, admitted (throughput). OneKey: all threads on one
// key (contention; memcached retries lost CAS races). Refused: the limit is reached.
// Arguments: 0 fixed window, 1 moving window, 2 sliding window counter, 3 gcra.
#include <bastion/ratelimit/storage.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

namespace {

using bastion::rate_strategy;

enum class backend { redis, memcached };
enum class keys { distinct, one, refused };

std::unique_ptr<bastion::limit_storage> open_from(const char* variable) {
  const char* url = std::getenv(variable);
  if (url == nullptr || *url == '\0') return nullptr;
  auto s = bastion::open_limit_storage(url);
  return s ? std::move(*s) : nullptr;
}

// One storage per backend for the whole run (thread-safe statics: a benchmark's threads
// all arrive here at once), from its test-server URL.
bastion::limit_storage* storage_for(backend b, benchmark::State& state) {
  static const auto redis = open_from("BASTION_TEST_REDIS_URL");
  static const auto memcached = open_from("BASTION_TEST_MEMCACHED_URL");
  auto* s = b == backend::redis ? redis.get() : memcached.get();
  if (!s)
    state.SkipWithError(b == backend::redis ? "BASTION_TEST_REDIS_URL is not set (scripts/redis-test-server.sh start)"
                                            : "BASTION_TEST_MEMCACHED_URL is not set (scripts/memcached-test-server.sh start)");
  return s;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void run(benchmark::State& state, backend b, keys mode) {
  auto* storage = storage_for(b, state);
  if (storage == nullptr) return;
  static const std::string run_prefix = "bench:" + std::to_string(std::random_device{}()) + ":";
  const auto strategy = static_cast<rate_strategy>(state.range(0));
  // Generous, except the moving window's, whose log grows with every admitted hit.
  const bastion::rate_limit generous{strategy == rate_strategy::moving_window ? 10'000u : 1'000'000'000u,
                                     std::chrono::seconds(60), ""};
  const bastion::rate_limit tight{1, std::chrono::seconds(3600), ""};
  const auto& limit = mode == keys::refused ? tight : generous;
  const std::string base = run_prefix + std::string(to_string(strategy)) + ":" + std::to_string(static_cast<int>(mode)) + ":";
  const std::string key = mode == keys::one ? base + "one" : base + std::to_string(state.thread_index());
  std::int64_t failed = 0, admitted = 0;
  for (auto _ : state) {
    auto r = storage->hit(strategy, key, limit, 1, now_ms());
    if (!r) ++failed;
    else if (r->allowed) ++admitted;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failed"] = benchmark::Counter(static_cast<double>(failed), benchmark::Counter::kAvgThreads);
  state.counters["admitted"] = benchmark::Counter(static_cast<double>(admitted), benchmark::Counter::kAvgThreads);
  state.SetLabel(std::string(to_string(strategy)));
  if (failed > 0) state.SkipWithError("hits failed");
}

void BM_RedisHitDistinct(benchmark::State& state) { run(state, backend::redis, keys::distinct); }
void BM_RedisHitOneKey(benchmark::State& state) { run(state, backend::redis, keys::one); }
void BM_RedisHitRefused(benchmark::State& state) { run(state, backend::redis, keys::refused); }
void BM_MemcachedHitDistinct(benchmark::State& state) { run(state, backend::memcached, keys::distinct); }
void BM_MemcachedHitOneKey(benchmark::State& state) { run(state, backend::memcached, keys::one); }
void BM_MemcachedHitRefused(benchmark::State& state) { run(state, backend::memcached, keys::refused); }

BENCHMARK(BM_RedisHitDistinct)->DenseRange(0, 3)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_RedisHitOneKey)->Arg(0)->Arg(3)->Threads(8)->UseRealTime();
BENCHMARK(BM_RedisHitRefused)->Arg(1)->Arg(3)->Threads(1)->UseRealTime();
BENCHMARK(BM_MemcachedHitDistinct)->Arg(0)->Arg(2)->Arg(3)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_MemcachedHitOneKey)->Arg(0)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_MemcachedHitRefused)->Arg(0)->Threads(1)->Threads(8)->UseRealTime();

}  // namespace
