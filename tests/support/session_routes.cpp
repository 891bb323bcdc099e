#include "support/session_routes.hpp"

#include <bastion/session/session.hpp>

#include <boost/json/string.hpp>

namespace bastion::testing {

void add_session_routes(app& a) {
  a.get("/get", [](request& req, response& res) {
    const auto* v = session_of(req).get("v");
    res.text(v ? std::string(v->as_string()) : "none");
  });
  a.get("/set/{v}", [](request& req, response& res) {
    session_of(req).set("v", boost::json::string(req.param("v")));
    res.text("ok");
  });
  a.get("/whoami", [](request& req, response& res) {
    auto& s = session_of(req);
    res.text(s.authenticated() ? s.user_id() : "anonymous");
  });
  a.post("/login/{id}", [](request& req, response& res) {
    auto& s = session_of(req);
    s.login(std::string(req.param("id")));
    const auto& q = req.query();
    if (q && q->get("remember") == "1") res.text(s.remember() ? "remembered" : "not remembered");
    else res.text("in");
  });
  a.post("/logout", [](request& req, response& res) {
    session_of(req).destroy();
    res.text("out");
  });
}

}  // namespace bastion::testing
