// A rollout plan: which migrations go to which targets of one environment, in which wave and
// stage. Pure: built from the project, the services' graphs, the resolved targets and what the
// control database says already succeeded; no database access here.
//
// Waves. A migration may require another service's migration (`-- strata:requires users/0007`).
// A required migration that has not yet succeeded in this environment must be part of the same
// rollout, and its service then runs in an earlier wave: every target of wave 1 is done (and its
// gates passed) before any target of wave 2 starts. Services with no such requirement run in
// wave 1. A requirement that is neither recorded as succeeded in the environment nor part of
// the rollout is a refusal; requirements that loop between services are bad input.
//
// Stages, per wave (from [environments.<env>]): the canary first (named targets, or a count or
// percentage of each service's targets, in strata.toml order), then the other targets in
// batches of batch_size (0: one batch). Health gates run after every stage.
//
// Promotion. A migration not yet recorded as succeeded in this environment must have succeeded
// in the environment before it (ProjectConfig::PromoteAfter); otherwise the plan carries a
// refusal and `rollout run` applies nothing.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/graph.h"
#include "project/project_config.h"
#include "util/error.h"

namespace strata::rollout {

struct PlanMigration {
  std::string service;
  std::string id;
  std::string name;
  std::string checksum;
  std::vector<std::string> requires_migrations;  // "service/id", resolved
  bool new_in_env = true;  // not yet recorded as succeeded in this environment
  std::string Key() const { return service + "/" + id; }
};

struct PlanTarget {
  std::string service;
  std::string name;  // "users@prod/shard-1"; never a URL
  int wave = 1;
  int stage = 0;     // index into RolloutPlan::stages
};

struct PlanStage {
  int wave = 1;
  std::string name;          // "canary", "batch 1", …
  std::vector<int> targets;  // indices into RolloutPlan::targets
};

// Why the plan may not run (promotion or requirement not met).
struct PlanRefusal {
  std::string kind;  // "promotion" or "requires"
  std::string migration;  // "service/id"
  std::string message;
  std::string file;
  int line = 0;
};

struct RolloutPlan {
  std::string env;
  std::string previous_env;                // promotion source ("" when none)
  std::vector<PlanMigration> migrations;   // by wave, then service order, then graph order
  std::map<std::string, int> service_wave;
  std::vector<PlanTarget> targets;         // in stage order
  std::vector<PlanStage> stages;           // in run order
  int waves = 0;
  int parallelism = 4;
  OnFailure on_failure = OnFailure::kHalt;
  std::vector<HealthGateSpec> gates;
  std::vector<PlanRefusal> refusals;
  // SHA-256 of the environment, the migrations (service, id, checksum) and the targets with
  // their wave and stage: a rerun with the same hash resumes the unfinished rollout.
  std::string hash;

  // Migrations of `service` in this plan, in graph order.
  std::vector<const PlanMigration*> MigrationsOf(const std::string& service) const;
};

struct ServiceGraph {
  const ServiceConfig* config = nullptr;
  const MigrationGraph* graph = nullptr;
};

struct PlanInput {
  const ProjectConfig* project = nullptr;
  std::string env;
  std::vector<ServiceGraph> services;       // the services taking part (in strata.toml order)
  std::vector<ResolvedTarget> targets;      // their targets in `env`
  std::vector<ServiceGraph> all_services;   // every service of the project, to resolve requires
  std::set<std::string> succeeded_in_env;   // "service/id" recorded as succeeded in env
  std::set<std::string> succeeded_in_previous;  // … in the previous environment
  // Checksums recorded with succeeded_in_previous ("service/id" -> checksum): a migration
  // edited since it succeeded there is refused (it would reach this environment untested).
  std::map<std::string, std::string> previous_checksums;
  int parallelism = 0;                      // --parallelism; 0: from strata.toml
};

// Builds the plan. kInput (naming file and line) for a requirement on an unknown service or
// migration, requirements that loop between services, or a canary target that is not a target
// of the environment. Refusals are returned in the plan, not as errors.
Result<RolloutPlan> BuildRolloutPlan(const PlanInput& in);

std::string_view OnFailureName(OnFailure f);

}  // namespace strata::rollout
