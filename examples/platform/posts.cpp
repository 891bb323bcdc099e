#include "posts.hpp"

#include "view.hpp"

#include <bastion/util/strings.hpp>

namespace platform {

boost::json::object validate_post(const post_input& p) {
  boost::json::object fields;
  if (auto e = check_text(p.title, 200); !e.empty()) fields["title"] = e;
  if (auto e = check_text(p.body, 10000); !e.empty()) fields["body"] = e;
  return fields;
}

boost::system::result<std::int64_t> insert_post(bastion::db::database& db, const post_input& p, std::int64_t author_id) {
  auto r = db.query("INSERT INTO posts (title, body, author_id) VALUES (?, ?, ?) RETURNING id",
                    std::string(bastion::trim_ows(p.title)), p.body, author_id);
  if (!r) return r.error();
  if (r->last_insert_id > 0) return r->last_insert_id;
  if (!r->rows.empty()) return r->rows.front().integer(0);
  return boost::system::errc::make_error_code(boost::system::errc::io_error);
}

}  // namespace platform
