#include <bastion/app/app.hpp>
#include <bastion/ratelimit/settings.hpp>

#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace bastion {
namespace {

bool has_problem(const config& c, std::string_view option) {
  return std::any_of(c.problems().begin(), c.problems().end(), [&](const config_problem& p) { return p.option == option; });
}

TEST(RateLimitSettings, ReportsBadValuesAsConfigurationProblems) {
  struct row {
    std::map<std::string, std::string> values;
    const char* option;
  };
  const row rows[] = {
      {{{"RATELIMIT_STORAGE_URI", "mongodb://x"}}, "RATELIMIT_STORAGE_URI"},
      {{{"RATELIMIT_STORAGE_URI", "redis://"}}, "RATELIMIT_STORAGE_URI"},
      {{{"RATELIMIT_DEFAULT", "50 per fortnight"}}, "RATELIMIT_DEFAULT"},
      {{{"RATELIMIT_STRATEGY", "leaky-bucket"}}, "RATELIMIT_STRATEGY"},
      {{{"RATELIMIT_IPV6_PREFIX", "129"}}, "RATELIMIT_IPV6_PREFIX"},
  };
  for (const auto& r : rows) {
    const app a("t", testing::test_config(r.values));
    EXPECT_TRUE(has_problem(a.settings(), r.option)) << r.option;
  }
  const app fine("t", testing::test_config({{"RATELIMIT_STRATEGY", "sliding-window-counter"},
                                            {"RATELIMIT_DEFAULT", "10/second;1000 per day"}}));
  EXPECT_TRUE(fine.settings().problems().empty());
}

TEST(RateLimitSettings, DeployChecksFlagWeakSetups) {
  struct row {
    std::map<std::string, std::string> values;
    const char* id;
  };
  const row rows[] = {
      {{{"INSTANCES", "3"}}, "ratelimit.E001"},
      {{{"RATELIMIT_ENABLED", "false"}}, "ratelimit.E002"},
      {{{"APP_ENV", "production"}}, "ratelimit.W001"},
  };
  const auto checks = ratelimit_deploy_checks();
  for (const auto& r : rows) {
    const auto findings = run_deploy_checks(checks, testing::test_config(r.values));
    EXPECT_TRUE(std::any_of(findings.begin(), findings.end(), [&](const deploy_finding& f) { return f.id == r.id; })) << r.id;
  }
  const auto good = testing::test_config({{"APP_ENV", "production"}, {"RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0"},
                                          {"INSTANCES", "4"}});
  for (const auto& f : run_deploy_checks(checks, good)) ADD_FAILURE() << f.id << ": " << f.message;
}

}  // namespace
}  // namespace bastion
