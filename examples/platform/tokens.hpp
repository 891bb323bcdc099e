#pragma once
// API tokens (seed 000's API keys): made by `create-token NAME`, shown once, stored as
// SHA-256 digests, sent as `Authorization: Bearer`, revoked by `revoke-tokens NAME`.
#include <bastion/app/app.hpp>

namespace platform {

void add_tokens(bastion::app& app);

}  // namespace platform
