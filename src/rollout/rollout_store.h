// Rollout state in the control database (module "rollout", see control/control_db.h):
//   {schema}rollouts         one row per rollout: id, env, plan hash, the plan (JSON, target
//                            names only), state, pause flag, current stage, message, who/when
//   {schema}rollout_targets  one row per target of a rollout: wave, stage, state, the ids this
//                            rollout applied there, the last error (redacted), attempts
//   {schema}env_migrations   migrations recorded as succeeded in an environment (every target
//                            of the service there has them): promotion and requires read this
// No URL is ever stored, only target names.
//
// States of a rollout: running -> paused | succeeded | failed | rolled_back | cancelled.
// "Unfinished" is running, paused or failed: `rollout run` with the same plan hash resumes it.
// States of a target: pending -> running -> done | failed; done -> rolled_back.
//
// Writes are batched: RecordResults writes any number of target results in one transaction
// (and reads the pause flag in the same round trips), so 1,000 targets cost a few dozen
// control-database transactions, not thousands.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "control/control_db.h"
#include "rollout/rollout_plan.h"
#include "util/error.h"

namespace strata::rollout {

struct RolloutRecord {
  long long id = 0;
  std::string env;
  std::string plan_hash;
  std::string plan_json;
  std::string state;
  bool pause_requested = false;
  int stages_passed = 0;  // stages whose targets are done and whose gates passed
  std::string stage;
  std::string message;
  std::string created_by;
  std::string created_at;  // ISO 8601 UTC (the orchestrator's clock)
  std::string updated_at;
};

struct TargetRecord {
  std::string target;
  std::string service;
  int wave = 1;
  int stage = 0;
  std::string state;
  std::vector<std::string> applied;  // ids this rollout applied there, in order
  std::string error;
  int attempts = 0;
  long long duration_ms = 0;
};

struct TargetResult {
  std::string target;
  std::string state;  // done, failed, rolled_back
  std::vector<std::string> applied;
  std::string error;  // redacted before it is stored
  long long duration_ms = 0;
};

class RolloutStore {
 public:
  // `db` must outlive the store. Not thread-safe (one control session).
  explicit RolloutStore(ControlDb& db);

  // Creates or upgrades the tables (ControlDb::EnsureModule "rollout").
  Result<void> EnsureSchema();

  // The newest unfinished rollout of `env`, if any.
  Result<std::optional<RolloutRecord>> FindUnfinished(const std::string& env);
  // kInput when there is no rollout `id`.
  Result<RolloutRecord> Get(long long id);
  // Newest first; `env` "" for all.
  Result<std::vector<RolloutRecord>> List(const std::string& env, int limit);
  Result<std::vector<TargetRecord>> Targets(long long id);

  // Inserts the rollout (state running) and its targets (pending) in one transaction.
  Result<long long> Create(const RolloutPlan& plan, const std::string& plan_json, const std::string& created_by);
  // Marks targets running (and counts an attempt) before they start.
  Result<void> MarkRunning(long long id, const std::vector<std::string>& targets);
  // Stores results (one transaction) and returns whether a pause was requested.
  Result<bool> RecordResults(long long id, const std::vector<TargetResult>& results);
  Result<bool> PauseRequested(long long id);
  Result<void> SetState(long long id, const std::string& state, const std::string& stage, const std::string& message);
  Result<void> SetStagesPassed(long long id, int stages);
  // Sets or clears the pause flag; kInput when the rollout is finished.
  Result<RolloutRecord> RequestPause(long long id, bool pause);

  // "service/id" of the migrations recorded as succeeded in `env`.
  Result<std::set<std::string>> SucceededIn(const std::string& env);
  // The same with the checksum each was recorded with ("service/id" -> checksum).
  Result<std::map<std::string, std::string>> SucceededChecksums(const std::string& env);
  Result<void> RecordSucceeded(const std::string& env, long long rollout_id, const std::vector<PlanMigration>& ms);

 private:
  ControlDb& db_;
  bool pg_;
};

}  // namespace strata::rollout
