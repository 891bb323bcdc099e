#pragma once
// A signed-in user's own account: GET /account lists their sessions (where they are signed
// in), POST /account/sessions/{handle}/end ends one, POST /account/password changes the
// password and ends every other session.
#include <bastion/app/app.hpp>

namespace platform {

// LOGIN_RATELIMIT also applies to POST /account/password (it checks the current password).
void add_account(bastion::app& app);

}  // namespace platform
