#pragma once
// Posts as both the HTML form and the JSON API create them: one validation, one insert.
#include <bastion/db/database.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace platform {

struct post_input {
  std::string title;  // 1..200 characters
  std::string body;   // 1..10000 characters
};

// Field name -> what is wrong with it; empty when the post is valid.
boost::json::object validate_post(const post_input& p);

// The new post's id.
boost::system::result<std::int64_t> insert_post(bastion::db::database& db, const post_input& p, std::int64_t author_id);

}  // namespace platform
