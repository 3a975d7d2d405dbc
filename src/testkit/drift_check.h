// Drift: does a target's schema still match its recorded history? The migrations recorded as
// applied in the target's strata.history are replayed (from the project's files) on a fresh
// database, and its schema is compared with the live one (strata's own schema left out).
//
// Reading the diff (a = replayed history, b = live target):
//   added   — on the target only: created by hand;
//   removed — in the history only: a migration's effect is missing (failed, or dropped by hand);
//   changed — altered by hand, with the attributes that differ.
#pragma once

#include <string>
#include <vector>

#include "core/graph.h"
#include "engine/engine.h"
#include "history/history_store.h"
#include "schema/schema_diff.h"
#include "testkit/migration_tester.h"
#include "util/error.h"

namespace strata {

struct DriftReport {
  std::vector<std::string> replayed;  // ids replayed, in graph order
  std::vector<std::string> unknown;   // recorded as applied but not in the project: not replayable
  std::vector<std::string> edited;    // file changed since it was applied: the replay uses today's file
  std::vector<std::string> partial;   // no-transaction migrations that stopped midway: not replayed
  SchemaDiff diff;
  bool drifted() const { return !diff.empty(); }
};

// Compares `live` (the target) with its replayed history on a database from `fresh`.
// kDatabase when the history or a schema cannot be read; a migration that fails to replay is
// returned as its error (its id set).
Result<DriftReport> CheckDrift(const MigrationGraph& graph, const ExecSettings& settings, Engine& live,
                               const std::string& service, const Actor& actor, const DatabaseFactory& fresh);

}  // namespace strata
