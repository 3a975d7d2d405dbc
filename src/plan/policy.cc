#include "plan/policy.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace strata::plan {

Result<lint::LintOptions> PlanLintOptions(const ProjectConfig& project) {
  lint::LintOptions o;
  if (project.lint.pg_version != 0) o.pg_major = project.lint.pg_version;
  for (const std::string& r : project.lint.rule_settings) TRY_VOID(lint::ApplyRuleSetting(o, r));
  o.runner_sets_lock_timeout = true;  // strata apply sets lock_timeout itself
  return o;
}

const RiskPolicy* PolicyFor(const ProjectConfig& project, const std::string& env) {
  auto it = project.policies.find(env);
  return it == project.policies.end() ? nullptr : &it->second;
}

Risk MaxRiskOf(const RiskPolicy& policy) { return ParseRisk(policy.max_risk).value_or(Risk::kHigh); }

std::string RefusalMessage(const Plan& plan, const PolicyVerdict& v, const RiskPolicy& policy) {
  std::string label = v.migration_id;
  for (const auto& m : plan.migrations) {
    if (m.id == v.migration_id) label = m.id + "_" + m.name;
  }
  return fmt::format(
      "{}: migration {} is rated {} risk ({}), above max_risk = \"{}\" of [policy.{}] ({}:{}). Make it safer, or "
      "approve it explicitly with --approve-risk {} (recorded in the target's audit)",
      plan.target, label, RiskName(v.risk), v.reasons.empty() ? "no reason" : v.reasons.front(), policy.max_risk,
      policy.env, policy.file, policy.line, v.migration_id);
}

std::string ApprovalDetails(const PolicyVerdict& v, const RiskPolicy& policy) {
  nlohmann::json d = {{"risk", RiskName(v.risk)},
                      {"reasons", v.reasons},
                      {"environment", policy.env},
                      {"max_risk", policy.max_risk},
                      {"approval", "--approve-risk"}};
  return d.dump();
}

}  // namespace strata::plan
