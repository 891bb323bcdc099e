#pragma once
// The admin blueprint (/admin): every route needs the admin role; anonymous visitors are
// sent to the login page, other users get 403.
#include <bastion/app/app.hpp>

namespace platform {

void add_admin(bastion::app& app);

}  // namespace platform
