// strata.toml: the project file. Execution settings (lock_timeout, lock_retries, retry_delay,
// statement_timeout): migration directives > service settings > [defaults] > built-in defaults.
// Environment and targets: --env > STRATA_ENV > default_environment; --url/DATABASE_URL select
// zero-config mode; lock_wait: --lock-wait > [defaults].
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/migration.h"
#include "util/database_url.h"
#include "util/error.h"

namespace strata {

// One database of a service in an environment, as written (URL not yet expanded).
struct TargetSpec {
  std::string env;
  std::string name;          // "users@dev", "users@prod/shard-a"
  std::string url_template;  // may hold ${VARS}; "" for a command target
  // `targets.prod = { command = "…" }`: a shell command (run by `sh -c` in the project folder
  // when targets are resolved) printing one target per line, "URL" or "NAME URL"; such a
  // spec stands for all the targets it prints, named "<service>@<env>/<NAME or line number>".
  std::string command;
  std::string file;          // strata.toml, for errors
  int line = 0;
};

struct ServiceConfig {
  std::string name;
  std::string migrations_dir;  // absolute
  std::optional<EngineKind> engine;
  std::string owner;
  ExecSettings settings;       // service-level overrides
  std::vector<TargetSpec> targets;
  int line = 0;
};

// [lint]: defaults for `strata lint` (flags override them).
struct LintSettings {
  int pg_version = 0;                      // target PostgreSQL major; 0: the linter's default
  std::string fail_on;                     // error, warning or info; "": the linter's default
  std::vector<std::string> rule_settings;  // "rule-id=error|warning|info|off"
};

// One approval rule of a policy: `approvals` different people, each approving with one of
// `roles` (any role when empty).
struct ApprovalRule {
  int approvals = 1;
  std::vector<std::string> roles;
  int line = 0;  // in strata.toml
};

// [policy.<env>]: what `strata plan` and `strata apply` accept in one environment.
//   max_risk = "medium"                                   # optional ceiling (--approve-risk)
//   high = { approvals = 2, roles = ["dba", "owner"] }    # approvals per risk level (src/governance)
//   medium = [{ approvals = 1, roles = ["owner"] }, { approvals = 1, roles = ["dba"] }]
struct RiskPolicy {
  std::string env;
  std::string max_risk;  // "low", "medium" or "high": migrations rated above it need --approve-risk; "" = none
  // Risk level ("low", "medium", "high") → the rules a migration of that risk must meet (all
  // of them) before `apply` runs it in this environment.
  std::map<std::string, std::vector<ApprovalRule>> approvals;
  std::string file;      // strata.toml and the line of the [policy.<env>] table, for messages
  int line = 0;
};

// A health gate between rollout stages ([[environments.<env>.gates]]): exactly one of sql,
// command, http is set.
struct HealthGateSpec {
  std::string name;     // for messages; default "gate <n>"
  std::string sql;      // must return true (first column of the first row) on every target of the stage
  std::string command;  // run by `sh -c` in the project folder; must exit 0
  std::string http;     // GET; must answer 2xx (${VARS} expanded)
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  std::string file;
  int line = 0;
};

enum class OnFailure { kHalt, kRollbackStage, kRollbackAll };

// [environments.<env>]: how a rollout reaches this environment (src/rollout).
struct EnvironmentRollout {
  std::string env;
  std::string promote_after;          // the environment a migration must have succeeded in first ("" = none)
  std::vector<std::string> canary;    // target names, applied first (e.g. "users@prod/shard-0")
  int canary_count = 0;               // or: this many targets of each service …
  int canary_percent = 0;             // … or this percentage (rounded up), when canary is "10%"
  int parallelism = 0;                // workers; 0: [rollout] parallelism
  int batch_size = 0;                 // targets per stage after the canary; 0: all the rest in one stage
  OnFailure on_failure = OnFailure::kHalt;
  std::vector<HealthGateSpec> gates;  // run after every stage, in order
  std::string file;
  int line = 0;
};

// [rollout]: project-wide rollout settings.
struct RolloutSettings {
  std::vector<std::string> promotion;  // promotion order, e.g. ["dev", "staging", "prod"]
  int parallelism = 4;                 // default workers per stage
  std::string file;
  int line = 0;
};

// [control]: the control database shared by rollouts and governance (src/control).
struct ControlConfig {
  std::string url_template;  // may hold ${VARS}; "" when there is no [control] table
  std::string file;          // strata.toml and the line of `url`, for messages
  int line = 0;
};

struct ProjectConfig {
  std::string root;  // the folder holding strata.toml ("" in zero-config mode)
  std::string file;  // the strata.toml path ("" in zero-config mode)
  std::string name;
  std::string default_env;
  std::vector<std::string> environments;
  ExecSettings defaults;  // always fully set: built-in defaults overridden by [defaults]
  std::chrono::milliseconds lock_wait{std::chrono::seconds(60)};
  std::vector<ServiceConfig> services;
  LintSettings lint;
  std::map<std::string, RiskPolicy> policies;  // by environment name
  // [roles]: role → the actors who may approve with it. Empty: roles are declared by the
  // approver (`strata approve --role`), and the audit records who claimed which.
  std::map<std::string, std::vector<std::string>> roles;
  ControlConfig control;
  std::map<std::string, EnvironmentRollout> environment_rollouts;  // by environment name
  RolloutSettings rollout;

  // The environment a migration must have succeeded in before `env`: [environments.<env>]
  // promote_after, else the one before `env` in [rollout] promotion; "" when none.
  std::string PromoteAfter(const std::string& env) const;

  const ServiceConfig* FindService(std::string_view name) const;
};

// The built-in execution defaults (lock_timeout 2s, 5 retries from 500ms, no statement_timeout).
ExecSettings BuiltinDefaults();

// Parses strata.toml. Every problem is kInput naming the file and line: syntax errors, unknown
// keys, wrong types, a target for an undeclared environment, duplicate service names, bad
// durations.
Result<ProjectConfig> LoadProjectConfig(const std::string& toml_path);

// The nearest strata.toml from `start` upward; "" when there is none.
std::string FindProjectFile(const std::string& start);

// A project of one service ("default" unless named) with one target, for `--url URL --dir DIR`
// (no target when `url` is empty: file-only commands still work).
ProjectConfig ZeroConfigProject(const std::string& url, const std::string& migrations_dir,
                                const std::string& service_name);

// A target with its URL expanded and parsed.
struct ResolvedTarget {
  std::string service;
  std::string name;
  DatabaseUrl url;
};

// The targets of `env` for the chosen services (all when `services` is empty). kInput for an
// unknown environment or service, an unset ${VAR} (naming file and line), or a bad URL.
Result<std::vector<ResolvedTarget>> ResolveTargets(const ProjectConfig& project, const std::string& env,
                                                   const std::vector<std::string>& services);

}  // namespace strata
