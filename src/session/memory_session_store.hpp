#pragma once
// memory://: sessions in this process, in 16 lock-striped shards. Each shard holds at most
// max_sessions / 16 records; a full shard first drops its expired records, then the one
// that would expire soonest, so a flood of new sessions cannot exhaust memory (it can only
// end the oldest idle sessions early).
#include <bastion/session/session_store.hpp>

#include <memory>

namespace bastion::detail {

std::unique_ptr<session_store> make_memory_session_store(std::size_t max_sessions);

}  // namespace bastion::detail
