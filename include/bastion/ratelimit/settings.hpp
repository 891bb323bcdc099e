#pragma once
// The rate limiter as configured: limiter_options and the storage from RATELIMIT_*, and
// the checklist items of this area.
#include <bastion/config/config.hpp>
#include <bastion/config/deploy_checks.hpp>
#include <bastion/ratelimit/limiter.hpp>

#include <memory>
#include <string>
#include <vector>

namespace bastion {

// Builds the limiter from the configuration; a bad URI, strategy or default limit is
// added to `problems` as (option, message) and a memory-backed limiter stands in.
std::unique_ptr<rate_limiter> rate_limiter_from(const config& cfg,
                                                std::vector<std::pair<std::string, std::string>>& problems);

std::vector<deploy_check> ratelimit_deploy_checks();

}  // namespace bastion
