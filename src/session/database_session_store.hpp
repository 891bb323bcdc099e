#pragma once
// database://: sessions in the app's own database (DATABASE_URL: SQLite or PostgreSQL), for
// deployments that have a database but no Redis. One row per session in
// `bastion_sessions` (created on first use): the store key, the user id (indexed, for
// "end every session of this user"), the record's JSON and its expiry (Unix milliseconds).
// Expired rows are never returned and are deleted in batches as sessions are saved.
#include <bastion/db/database.hpp>
#include <bastion/session/session_store.hpp>

#include <memory>

namespace bastion::detail {

std::unique_ptr<session_store> make_database_session_store(db::database& db);

}  // namespace bastion::detail
