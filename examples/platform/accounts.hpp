#pragma once
// Signing in and out: the user loader, GET/POST /login, POST /logout.
#include <bastion/app/app.hpp>

namespace platform {

// LOGIN_RATELIMIT applies to POST /login per client address and per submitted username.
void add_accounts(bastion::app& app);

}  // namespace platform
