// The project's side of planning: lint options from strata.toml's [lint], the [policy.<env>]
// risk ceiling, and the words used when a policy refuses a migration (plan and apply say the
// same thing).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "lint/linter.h"
#include "plan/planner.h"
#include "project/project_config.h"
#include "util/error.h"

namespace strata::plan {

// Lint options for planning: [lint] rules of the project applied (kUsage for a bad rule).
Result<lint::LintOptions> PlanLintOptions(const ProjectConfig& project);

// The policy of `env`, or null when the project sets none.
const RiskPolicy* PolicyFor(const ProjectConfig& project, const std::string& env);

// The ceiling of a policy (policies are validated when strata.toml is read; an unknown value
// reads as high, i.e. no ceiling).
Risk MaxRiskOf(const RiskPolicy& policy);

// One refused migration, in one message: the target, the migration, its risk and first
// reason, the policy (file:line) and how to approve it.
std::string RefusalMessage(const Plan& plan, const PolicyVerdict& v, const RiskPolicy& policy);

// The audit details (a JSON object text) recorded when an approval lets a migration through.
std::string ApprovalDetails(const PolicyVerdict& v, const RiskPolicy& policy);

}  // namespace strata::plan
