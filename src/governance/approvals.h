// Approvals: what a policy asks before a migration may run in an environment, and whether
// the recorded approvals give it.
//
// Policy (strata.toml, parsed into RiskPolicy::approvals):
//   [policy.prod]
//   high   = { approvals = 2, roles = ["dba", "owner"] }     # 2 different people, each dba or owner
//   medium = [{ approvals = 1, roles = ["owner"] }, { approvals = 1, roles = ["dba"] }]  # both rules
// A migration rated `risk` (plan/risk.h) must meet every rule listed for that level.
//
// An approval (`strata approve SERVICE/ID --role ROLE --env ENV`) is bound to the migration's
// review checksum (ApprovalChecksum: up, down, verify and directives), so editing any part of
// the file voids it. One person counts once: within a rule, and across the rules of one
// migration (a person who approved as dba and as owner fills one slot, not two). With [roles]
// in strata.toml an approval only counts when its actor is a member of the role it claims.
//
// Where approvals live: in the control database when strata.toml has [control]
// (strata_control.approvals); otherwise in each target's history store (strata.approvals /
// strata_approvals): `approve` writes to every target of the service in the environment;
// `apply` on a target counts the approvals stored in that target (CheckApprovalsIn), and
// CheckApprovals, which has no target at hand, counts those that every target holds.
#pragma once

#include <string>
#include <vector>

#include "core/migration.h"
#include "engine/engine.h"
#include "governance/approval_store.h"
#include "plan/risk.h"
#include "project/project_config.h"
#include "util/error.h"

namespace strata::governance {

// One rule of the policy for one migration, and how far the approvals get it.
struct ApprovalStatus {
  std::string service;
  std::string migration_id;
  std::string env;
  plan::Risk risk = plan::Risk::kLow;
  std::string checksum;            // the migration's current ApprovalChecksum
  int required = 0;                // approvals the rule needs
  std::vector<std::string> roles;  // roles that count (empty: any)
  std::vector<Approval> counted;   // approvals that count for this rule (distinct people)
  std::vector<Approval> voided;    // approvals of this migration bound to another checksum (edited since)
  std::vector<Approval> ignored;   // current approvals that do not count here (wrong role, not a member,
                                   // or the person already counted for another rule)
  std::string policy_file;         // strata.toml and the rule's line, for messages
  int policy_line = 0;

  bool satisfied() const { return static_cast<int>(counted.size()) >= required; }
  int missing() const { return satisfied() ? 0 : required - static_cast<int>(counted.size()); }
  // "users/0002 (high risk) needs 1 more approval from dba or owner in prod (has: alice as dba);
  //  1 approval voided by an edit" — and the command that gives it.
  std::string Describe() const;
};

// SHA-256 (hex) over what a reviewer approves: the up, down and verify sections and the
// directives (no-transaction, irreversible). Differs from Migration::checksum, which covers
// only what apply runs.
std::string ApprovalChecksum(const Migration& m);

// The rules of `env`'s policy for `risk`, evaluated against `recorded` (approvals of this
// migration in this environment, any checksum). Empty when the policy asks for nothing.
// Pure: no database access.
std::vector<ApprovalStatus> EvaluateApprovals(const ProjectConfig& project, const std::string& env,
                                              const std::string& service, const Migration& m, plan::Risk risk,
                                              const std::vector<Approval>& recorded);

// True when every status is satisfied (an empty list is).
bool AllSatisfied(const std::vector<ApprovalStatus>& statuses);

// EvaluateApprovals with the approvals read from where the project keeps them: the control
// database when [control] is configured, otherwise the targets of `service` in `env` (an
// approval counts when every reachable target holds it). Skips the reading when the policy
// asks for nothing. kInput for a bad [control] url, kDatabase when a store cannot be read.
Result<std::vector<ApprovalStatus>> CheckApprovals(const ProjectConfig& project, const std::string& env,
                                                   const std::string& service, const Migration& m, plan::Risk risk);

// The same, reading the approvals from one open store (the control database's or a target's).
Result<std::vector<ApprovalStatus>> CheckApprovalsIn(ApprovalStore& store, const ProjectConfig& project,
                                                     const std::string& env, const std::string& service,
                                                     const Migration& m, plan::Risk risk);

}  // namespace strata::governance
