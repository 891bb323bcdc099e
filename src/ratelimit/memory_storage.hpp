#pragma once
// memory://: counters in this process, in 64 lock-striped shards (a hit locks one shard,
// chosen by the key's hash), dead keys swept as shards grow, and a bound on the number of
// keys: when a shard is full even after sweeping, the key closest to expiry is dropped,
// so a flood of distinct keys cannot exhaust memory.
#include <bastion/ratelimit/storage.hpp>

#include <memory>

namespace bastion::detail {

std::unique_ptr<limit_storage> make_memory_storage(std::size_t max_keys);

// Keys currently held by a storage made by make_memory_storage (tests, metrics).
std::size_t memory_storage_keys(limit_storage& storage);

}  // namespace bastion::detail
