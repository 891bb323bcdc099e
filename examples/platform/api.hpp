#pragma once
// The platform's JSON API under /api/v1 (rate-limited by API_RATELIMIT per client).
#include <bastion/app/app.hpp>

namespace platform {

void add_api(bastion::app& app);

}  // namespace platform
