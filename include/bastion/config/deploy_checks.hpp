#pragma once
// The production checklist: one set of checks used both by `check --deploy` and by
// production startup (which refuses to start on any check marked fatal). Each check
// has a stable id and a message that says what is wrong, what it risks and the fix.
#include <bastion/config/config.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bastion {

enum class check_severity { warning, error };

struct deploy_check {
  std::string id;                  // stable, e.g. "bastion.E002"
  check_severity severity = check_severity::error;
  bool fatal_in_production = false;  // production `serve` refuses to start when it fails
  std::function<std::optional<std::string>(const config&)> run;  // message when it fails
};

struct deploy_finding {
  std::string id;
  check_severity severity;
  std::string message;
};

// The framework's own checks (environment, debug, secret key, database, host names,
// logging). Apps and later modules append theirs.
std::vector<deploy_check> core_deploy_checks();

// Runs `checks`; with `fatal_only`, only those that stop a production start.
std::vector<deploy_finding> run_deploy_checks(const std::vector<deploy_check>& checks, const config& cfg,
                                              bool fatal_only = false);

}  // namespace bastion
