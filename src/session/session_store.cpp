#include <bastion/session/session_store.hpp>

#include "session/database_session_store.hpp"
#include "session/memory_session_store.hpp"
#include "session/redis_session_store.hpp"

namespace bastion {

boost::system::result<std::unique_ptr<session_store>> open_session_store(std::string_view uri,
                                                                         const session_store_options& options) {
  if (uri == "memory://") return detail::make_memory_session_store(options.memory_max_sessions);
  if (uri == "database://" && options.database) return detail::make_database_session_store(*options.database);
  if (uri.starts_with("redis://"))
    if (auto ep = detail::parse_redis_uri(uri)) return detail::make_redis_session_store(std::move(*ep), options);
  return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
}

}  // namespace bastion
