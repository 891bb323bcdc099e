#include <bastion/session/session_store.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace bastion {

std::string to_json(const session_record& r) {
  boost::json::object o;
  o["u"] = r.user_id;
  o["x"] = r.csrf_secret;
  o["d"] = r.data;
  o["c"] = r.created;
  o["l"] = r.last_seen;
  return boost::json::serialize(o);
}

std::optional<session_record> session_record_from_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  const auto* u = o.if_contains("u");
  const auto* x = o.if_contains("x");
  const auto* d = o.if_contains("d");
  const auto* c = o.if_contains("c");
  const auto* l = o.if_contains("l");
  if (!u || !u->is_string() || !x || !x->is_string() || !d || !d->is_object() || !c || !c->is_int64() || !l ||
      !l->is_int64())
    return std::nullopt;
  session_record r;
  r.user_id = u->as_string();
  r.csrf_secret = x->as_string();
  r.data = d->as_object();
  r.created = c->as_int64();
  r.last_seen = l->as_int64();
  return r;
}

}  // namespace bastion
