#include <bastion/config/deploy_checks.hpp>

#include <bastion/util/random.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bastion {
namespace {

using env_map = std::map<std::string, std::string>;

const std::string good_key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// A production configuration that passes every core check.
env_map good_production() {
  return {{"APP_ENV", "production"},
          {"SECRET_KEY", good_key},
          {"DATABASE_URL", "postgresql://app@db.example/app"},
          {"SERVER_NAME", "example.com"}};
}

config load(const env_map& env) {
  config_sources s;
  s.getenv = [env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto c = load_config({}, s);
  for (const auto& p : c.problems()) ADD_FAILURE() << p.option << ": " << p.message;
  return c;
}

std::vector<std::string> ids(const std::vector<deploy_finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.id);
  return out;
}

TEST(DeployChecks, GoodProductionConfigurationPasses) {
  const auto findings = run_deploy_checks(core_deploy_checks(), load(good_production()));
  EXPECT_TRUE(findings.empty()) << (findings.empty() ? "" : findings[0].id + ": " + findings[0].message);
}

TEST(DeployChecks, EachProblemIsReportedByItsOwnCheck) {
  struct row {
    const char* name;
    env_map changes;  // "" removes the variable
    std::vector<std::string> expected;
    check_severity severity;
  };
  const row rows[] = {
      {"DevelopmentEnvironment", {{"APP_ENV", "development"}}, {"bastion.E001"}, check_severity::error},
      {"TestingEnvironment", {{"APP_ENV", "testing"}}, {"bastion.E001"}, check_severity::error},
      {"DebugOn", {{"APP_DEBUG", "true"}}, {"bastion.E002"}, check_severity::error},
      {"NoSecretKey", {{"SECRET_KEY", ""}}, {"bastion.E003"}, check_severity::error},
      {"ShortSecretKey", {{"SECRET_KEY", "short-key"}}, {"bastion.E004"}, check_severity::error},
      {"KeyOneByteShort", {{"SECRET_KEY", std::string(31, 'k')}}, {"bastion.E004"}, check_severity::error},
      {"ShortFallbackKey", {{"SECRET_KEY_FALLBACKS", good_key + ",short"}}, {"bastion.E005"}, check_severity::error},
      {"Sqlite", {{"DATABASE_URL", "sqlite:///var/lib/app/app.db"}}, {"bastion.W001"}, check_severity::warning},
      {"NoServerName", {{"SERVER_NAME", ""}}, {"bastion.W002"}, check_severity::warning},
      {"LogsToStderr", {{"LOG_TO_STDOUT", "false"}}, {"bastion.W003"}, check_severity::warning},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto env = good_production();
    for (const auto& [k, v] : r.changes) {
      if (v.empty()) env.erase(k);
      else env[k] = v;
    }
    const auto findings = run_deploy_checks(core_deploy_checks(), load(env));
    EXPECT_EQ(ids(findings), r.expected);
    for (const auto& f : findings) {
      EXPECT_EQ(f.severity, r.severity);
      EXPECT_FALSE(f.message.empty());
    }
  }
}

TEST(DeployChecks, KeyOfExactlyThirtyTwoBytesIsEnough) {
  auto env = good_production();
  env["SECRET_KEY"] = std::string(32, 'k');
  env["SECRET_KEY_FALLBACKS"] = std::string(32, 'f');
  EXPECT_TRUE(run_deploy_checks(core_deploy_checks(), load(env)).empty());
}

TEST(DeployChecks, MessagesNeverContainTheKey) {
  auto env = good_production();
  env["SECRET_KEY"] = "tiny-secret";
  env["SECRET_KEY_FALLBACKS"] = "old-tiny-secret";
  for (const auto& f : run_deploy_checks(core_deploy_checks(), load(env))) {
    SCOPED_TRACE(f.id);
    EXPECT_EQ(f.message.find("tiny-secret"), std::string::npos) << f.message;
  }
}

TEST(DeployChecks, EphemeralDevelopmentKeyCountsAsNoKey) {
  const auto findings = run_deploy_checks(core_deploy_checks(), load({{"APP_ENV", "development"}}));
  const auto found = ids(findings);
  EXPECT_NE(std::find(found.begin(), found.end(), "bastion.E003"), found.end());
  EXPECT_EQ(std::find(found.begin(), found.end(), "bastion.E004"), found.end());
}

TEST(DeployChecks, KeyFromAFileSatisfiesTheKeyChecks) {
  namespace fs = std::filesystem;
  const auto path = fs::temp_directory_path() / ("bastion-deploy-key-" + random_hex(8));
  {
    std::ofstream out(path, std::ios::binary);
    out << good_key << "\n";
  }
  auto env = good_production();
  env.erase("SECRET_KEY");
  env["SECRET_KEY_FILE"] = path.string();
  const auto findings = run_deploy_checks(core_deploy_checks(), load(env));
  std::error_code ec;
  fs::remove(path, ec);
  EXPECT_TRUE(findings.empty()) << (findings.empty() ? "" : findings[0].id);
}

TEST(DeployChecks, EachCheckHasItsSeverityAndFatality) {
  struct row {
    const char* id;
    check_severity severity;
    bool fatal;
  };
  const row rows[] = {
      {"bastion.E001", check_severity::error, false},  {"bastion.E002", check_severity::error, true},
      {"bastion.E003", check_severity::error, true},   {"bastion.E004", check_severity::error, true},
      {"bastion.E005", check_severity::error, true},   {"bastion.W001", check_severity::warning, false},
      {"bastion.W002", check_severity::warning, false}, {"bastion.W003", check_severity::warning, false},
  };
  const auto checks = core_deploy_checks();
  ASSERT_EQ(checks.size(), std::size(rows));
  for (const auto& r : rows) {
    SCOPED_TRACE(r.id);
    const auto it = std::find_if(checks.begin(), checks.end(), [&](const deploy_check& c) { return c.id == r.id; });
    ASSERT_NE(it, checks.end());
    EXPECT_EQ(it->severity, r.severity);
    EXPECT_EQ(it->fatal_in_production, r.fatal);
  }
}

TEST(DeployChecks, FatalOnlyKeepsTheChecksThatStopAProductionStart) {
  auto env = good_production();
  env["APP_DEBUG"] = "true";                         // E002, fatal
  env["SECRET_KEY"] = "short-key";                   // E004, fatal
  env["DATABASE_URL"] = "sqlite:///instance/app.db"; // W001
  env.erase("SERVER_NAME");                          // W002
  const auto cfg = load(env);
  EXPECT_EQ(ids(run_deploy_checks(core_deploy_checks(), cfg)),
            (std::vector<std::string>{"bastion.E002", "bastion.E004", "bastion.W001", "bastion.W002"}));
  EXPECT_EQ(ids(run_deploy_checks(core_deploy_checks(), cfg, true)),
            (std::vector<std::string>{"bastion.E002", "bastion.E004"}));
}

TEST(DeployChecks, AppChecksRunWithTheCoreOnes) {
  auto checks = core_deploy_checks();
  checks.push_back({"app.W100", check_severity::warning, false, [](const config& c) -> std::optional<std::string> {
                      if (c.get("HOST") == "0.0.0.0") return "listening on every interface";
                      return std::nullopt;
                    }});
  auto env = good_production();
  EXPECT_TRUE(run_deploy_checks(checks, load(env)).empty());
  env["HOST"] = "0.0.0.0";
  const auto findings = run_deploy_checks(checks, load(env));
  ASSERT_EQ(ids(findings), (std::vector<std::string>{"app.W100"}));
  EXPECT_EQ(findings[0].message, "listening on every interface");
  EXPECT_TRUE(run_deploy_checks(checks, load(env), true).empty());
}

}  // namespace
}  // namespace bastion
