// `strata test` for one service on an empty throwaway database:
//
//  1. every migration in graph order: [EXPLAIN the registered queries] → [probe its locks] →
//     up (timed) → seeds that follow it → synthetic rows for empty tables → verify (in a
//     rolled-back transaction) → snapshot → [EXPLAIN again, compare] → down → the schema must
//     equal the one before up → up again → the schema must equal the one after up;
//  2. the whole chain down (the schema must be empty again) and up (equal to the full schema).
//
// A failure stops nothing that can still run: a failed down is recorded and the next migration
// continues; when a round trip left the database different from what it should be (a down
// that did not restore the schema, an up again that failed or differs), the tester takes a
// fresh database, replays the chain up to that migration and goes on from there. A failed
// first up ends the chain, since later migrations build on it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/graph.h"
#include "engine/engine.h"
#include "history/history_store.h"
#include "schema/schema_diff.h"
#include "testkit/lock_probe.h"
#include "testkit/query_plans.h"
#include "testkit/seed_data.h"
#include "util/error.h"

namespace strata {

struct TestStep {
  std::string migration;  // id_name, or "" for a whole-chain step
  std::string step;       // up, seed, verify, down, down restores schema, up again, up again restores schema,
                          // chain down, chain down restores empty schema, chain up, chain up restores schema
  std::string status;     // passed, failed, skipped
  std::string message;    // why it failed or was skipped
  std::vector<ObjectChange> differences;  // objects that differ (schema steps)
  long long duration_ms = 0;
};

struct MigrationFacts {
  std::string id, label;
  long long up_ms = 0;
  bool locks_measured = false;
  std::string locks_note;            // why not measured
  std::vector<HeldLock> locks;       // strongest first, then longest held
  std::vector<PlanChange> plan_changes;
};

struct ServiceTestReport {
  std::string service;
  std::string engine;  // postgres or sqlite
  std::vector<TestStep> steps;
  std::vector<MigrationFacts> migrations;
  std::vector<std::string> warnings;  // synthetic data that could not be generated, …
  long long synthetic_rows = 0;
  long long seed_rows = 0;
  long long duration_ms = 0;
  int Failures() const;
  int PlanChanges() const;
};

struct TesterOptions {
  int rows = 0;                     // synthetic rows per empty table after each migration (0: none)
  std::vector<SeedFile> seeds;
  std::vector<RegisteredQuery> queries;
  bool probe_locks = true;
  std::function<void(const std::string&)> progress;  // one line per migration, when set
};

// Gives a session on a new empty database each time it is called.
using DatabaseFactory = std::function<Result<std::unique_ptr<Engine>>()>;

// Runs the test on databases from `fresh` (one, plus one per rebuild). Fails only on a problem
// that prevents testing at all (no database, the catalog cannot be read); every migration
// problem is a failed step of the report.
Result<ServiceTestReport> TestMigrations(const MigrationGraph& graph, const ExecSettings& settings,
                                         const DatabaseFactory& fresh, const std::string& service, const Actor& actor,
                                         const TesterOptions& options);

}  // namespace strata
