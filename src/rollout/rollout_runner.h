// Runs (or resumes) one rollout recorded in the control database: stage by stage, each
// stage's targets through the existing Migrator (src/migrate) with a pool of worker threads,
// one libpq session per target and worker; results go to the control database in batches
// before the next stage starts; the health gates run after every stage; a failure does what
// the plan's on_failure says.
//
// Resume without applying twice. Targets recorded done are skipped; the others run Apply
// again, which applies only what the target's own history says is pending (history and the
// schema change commit together). A target that was in flight when the orchestrator died
// (state running) gets its "applied by this rollout" list rebuilt from its history: the plan's
// migrations applied since the rollout was created. Stages whose gates passed are not rerun.
//
// Pause. The pause flag (RolloutStore::RequestPause) is read at every batch of results: no
// new target starts once it is seen; targets in flight finish, are recorded, and the rollout
// is left "paused" (the runner returns). `rollout resume` / `rollout run` continue it.
//
// Rollback (on_failure rollback_stage / rollback_all) runs Migrator::Rollback on each target
// for exactly the migrations this rollout applied there, newest wave first.
//
// The caller holds the rollout's advisory lock (one orchestrator per environment).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/graph.h"
#include "history/history_store.h"
#include "project/project_config.h"
#include "rollout/health_gate.h"
#include "rollout/rollout_plan.h"
#include "rollout/rollout_store.h"
#include "util/error.h"

namespace strata::rollout {

struct ServiceRuntime {
  const MigrationGraph* graph = nullptr;
  ExecSettings settings;  // project defaults merged with the service's
};

// Live progress, reported from the orchestrator's thread.
struct Progress {
  enum Kind { kStageStart, kTargets, kGate, kRollback, kPaused } kind = kTargets;
  long long rollout_id = 0;
  int wave = 1;
  int waves = 1;
  int stage_index = 0;  // 0-based
  int stages = 0;
  std::string stage;
  int stage_done = 0;   // finished targets of this stage (done or failed)
  int stage_total = 0;
  int failed = 0;       // failed targets of this stage
  int done_total = 0;   // done targets of the whole rollout
  int targets_total = 0;
  std::string message;  // gate result, rollback note
};

struct RunnerOptions {
  int parallelism = 4;
  Actor actor;  // recorded in each target's history
  std::chrono::milliseconds lock_wait{std::chrono::seconds(60)};
  std::string project_root;
  std::function<void(const Progress&)> on_progress;
  // Audit hook for rollout actions (e.g. "rollout-rollback"); details is a JSON object text.
  std::function<void(const std::string& action, const std::string& details)> audit;
  size_t flush_every = 64;  // results per control-database write (at most)
  std::chrono::milliseconds flush_interval{200};
};

struct GateOutcome {
  std::string stage;
  std::string gate;
  bool passed = false;
  std::string detail;
  long long duration_ms = 0;
};

struct RunOutcome {
  long long rollout_id = 0;
  std::string state;  // succeeded, paused, failed, rolled_back
  int targets_total = 0;
  int done = 0;
  int failed = 0;
  int rolled_back = 0;
  int applied_migrations = 0;  // migrations applied by this run, all targets together
  bool target_failed = false;
  bool gate_failed = false;
  std::vector<std::string> failures;  // "target: error" (redacted), first ones
  std::vector<GateOutcome> gates;
  std::string message;
};

// Runs rollout `id` whose plan is `plan`. `targets` resolves the plan's target names to URLs;
// `services` gives each service's graph. kDatabase only when the control database fails; a
// target's failure is an outcome, not an error.
Result<RunOutcome> RunRollout(RolloutStore& store, long long id, const RolloutPlan& plan,
                              const std::map<std::string, ResolvedTarget>& targets,
                              const std::map<std::string, ServiceRuntime>& services, const RunnerOptions& options);

}  // namespace strata::rollout
