#pragma once
// Platform users: creation from the command line and the first admin.
#include <bastion/app/app.hpp>

namespace platform {

// `create-user NAME [--admin]`: the password is read from standard input (one line),
// or prompted for without echo on a terminal; never taken from the command line.
void add_user_commands(bastion::app& app);

// Deploy checks for ADMIN_USERNAME / ADMIN_PASSWORD.
void add_admin_checks(bastion::app& app);

// Creates the first admin from ADMIN_USERNAME / ADMIN_PASSWORD when no admin exists.
// In development without ADMIN_PASSWORD, a random password is generated and printed
// once. Returns an exit code.
int ensure_first_admin(bastion::app& app);

}  // namespace platform
