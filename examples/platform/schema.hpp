#pragma once
// The platform's tables, for SQLite and PostgreSQL.
#include <bastion/db/database.hpp>

#include <boost/system/result.hpp>

namespace platform {

// Creates the tables when missing (idempotent).
boost::system::result<void> create_schema(bastion::db::database& db);

}  // namespace platform
