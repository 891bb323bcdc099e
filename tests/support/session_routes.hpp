#pragma once
// The routes the session tests drive, the same for every store and mode:
//   GET  /get            the session's value "v", or "none"
//   GET  /set/{v}        stores "v"
//   GET  /whoami         the user id, or "anonymous"
//   POST /login/{id}     logs in; with ?remember=1 also asks for remember-me and answers
//                        "remembered" or "not remembered"
//   POST /logout         destroys the session
#include "support/exchange.hpp"

#include <bastion/app/app.hpp>

namespace bastion::testing {

void add_session_routes(app& a);

// What a browser sends with a form posted from one of the site's own pages.
inline const header_list from_page{{"Sec-Fetch-Site", "same-origin"}};

}  // namespace bastion::testing
