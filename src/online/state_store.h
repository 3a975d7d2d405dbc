// Online migration state, kept in the target in schema `strata_online`:
//   migrations  one row per migration and base schema: its source text and checksum, the
//               shape it started from (JSON), state starting|started|completed|rolled_back,
//               version schemas, the pause flag, who started it and when, and which
//               operations' defaults PostgreSQL said would rewrite their table;
//   backfill    one row per table to backfill: key columns, the cursor (the last key done, as
//               text), rows done / total, batches, throttle count, done flag. The cursor is
//               updated by the same statement that touches a batch, so it never runs ahead of
//               the data and a rerun of `start` resumes at the next batch;
//   in_version(schema)  the function the triggers use to tell which version wrote a row.
// At most one migration per base schema is starting/started at a time.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "util/error.h"

namespace strata::online {

struct MigrationRow {
  std::string schema;
  std::string name;
  std::string service;
  std::string source;
  std::string checksum;
  nlohmann::json model;
  std::string state;  // starting, started, completed, rolled_back
  std::string version_schema;
  std::optional<std::string> previous_schema;
  bool paused = false;
  int ops_done = 0;  // operations whose start steps have run
  // Operations (0-based, in file order) whose default PostgreSQL said would rewrite the table in
  // ADD COLUMN (OpEnv::rewriting_default), recorded with their start steps: every later plan
  // (resume, backfill, complete, rollback) is built with the answer the start steps ran with.
  std::set<int> rewriting_defaults;
  std::string started_at, started_by;
  std::optional<std::string> finished_at;
};

struct BackfillRow {
  std::string table;
  long long rows_done = 0;
  long long rows_total = 0;
  long long batches = 0;
  long long throttled = 0;
  bool done = false;
  double elapsed_s = 0;  // since the backfill row was created
};

class StateStore {
 public:
  StateStore(Engine& engine, std::string schema);

  // Creates schema strata_online, its tables and in_version() when missing.
  Result<void> EnsureSchema();
  Result<bool> Exists();
  // The starting/started migration of this base schema, if any.
  Result<std::optional<MigrationRow>> Active();
  Result<std::optional<MigrationRow>> Find(const std::string& name);
  // Every migration of this base schema, oldest first.
  Result<std::vector<MigrationRow>> All();
  // The version schema of the newest completed migration, when that schema still exists.
  Result<std::optional<std::string>> CurrentVersionSchema();
  Result<std::vector<BackfillRow>> Backfills(const std::string& migration);

  // Statement building blocks for the runner's transactions.
  BoundStatement Insert(const MigrationRow& row) const;  // replaces a rolled_back row of the same name
  BoundStatement SetState(const std::string& name, const std::string& state) const;
  BoundStatement SetOpsDone(const std::string& name, int ops_done) const;
  BoundStatement SetRewritingDefaults(const std::string& name, const std::set<int>& ops) const;
  BoundStatement DeleteBackfills(const std::string& name) const;
  Result<void> SetPaused(const std::string& name, bool paused);

  const std::string& schema() const { return schema_; }

 private:
  Engine& engine_;
  std::string schema_;
};

}  // namespace strata::online
