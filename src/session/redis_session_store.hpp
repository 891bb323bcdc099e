#pragma once
// redis://: each session is a string key "bastion:session:<key>" (the record's JSON) with
// a TTL; each user has a set "bastion:user-sessions:<user id>" of session keys, expiring
// with the longest-lived of them. Saving a logged-in session, removing one and ending all
// of a user's sessions are each one server-side script: one round trip, atomic.
#include <bastion/session/session_store.hpp>

#include "redis/redis_client.hpp"

#include <memory>

namespace bastion::detail {

std::unique_ptr<session_store> make_redis_session_store(redis_endpoint ep, const session_store_options& options);

}  // namespace bastion::detail
