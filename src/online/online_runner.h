// The lifecycle of online migrations on one PostgreSQL target: start (expand + backfill),
// status, complete (contract), rollback, pause, resume. See README.md in this folder for how
// state is kept and how a rerun resumes.
//
// Every DDL transaction runs with a short lock_timeout and is retried with jittered, doubling
// back-off (RetryDelay of src/migrate) when the lock is not granted; concurrent index builds
// run outside transactions, an INVALID leftover dropped first. start/complete/rollback/resume
// hold the service's strata lock (the advisory lock `strata apply` takes), so they never run
// at the same time as each other or as versioned migrations of the same service.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "history/history_store.h"
#include "online/backfill.h"
#include "online/contract_guard.h"
#include "online/migration_file.h"
#include "online/state_store.h"
#include "util/error.h"

namespace strata::online {

struct OnlineOptions {
  std::string schema = "public";  // base schema holding the tables
  std::string service = "default";
  Actor actor;
  std::chrono::milliseconds lock_timeout{500};  // per DDL transaction
  int lock_retries = 10;
  std::chrono::milliseconds retry_delay{100};
  std::chrono::milliseconds lock_wait{std::chrono::seconds(60)};  // for the service lock
  // start: how long to wait while another migration is active on the schema (queued behind
  // it) before failing; 0 fails at once.
  std::chrono::milliseconds active_wait{0};
  // max_parallel_maintenance_workers for the index builds (CREATE INDEX CONCURRENTLY); < 0:
  // the server's setting. 0 (the default) builds with the session's own process only: slower,
  // but parallel workers take the cores the application needs (measured on 2 vCPUs: other
  // sessions' p50 2x and p99 3x during a parallel build; with 0, p99 1.4x, build 1.4x longer).
  int index_workers = 0;
  bool create_roles = true;
  bool backfill = true;  // false: start stops after the expand (a later start or resume backfills)
  BackfillOptions backfill_options;
  std::function<void(const std::string&)> on_note;  // one-line notes (stderr in the CLI)
};

struct StartResult {
  std::string name;
  std::string version_schema;
  std::optional<std::string> previous_schema;  // the old version's schema; empty: the base schema
  bool resumed = false;
  bool paused = false;         // the backfill stopped because the migration is paused
  bool backfill_done = false;
  std::vector<BackfillProgress> backfill;
  std::vector<std::string> warnings;
};

struct CompleteResult {
  std::string name;
  bool completed = false;
  bool forced = false;
  std::string old_version;
  std::vector<OldVersionSession> blockers;  // sessions still on the old version
};

struct StatusResult {
  std::optional<MigrationRow> active;
  std::vector<BackfillRow> backfill;  // of the active migration
  std::vector<MigrationRow> migrations;
  std::optional<std::string> current_version;  // newest completed version schema
  std::vector<OldVersionSession> old_version_sessions;
};

class OnlineRunner {
 public:
  // `engine` must outlive the runner and be a PostgreSQL session.
  OnlineRunner(Engine& engine, OnlineOptions options);

  Result<StartResult> Start(const OnlineMigration& migration);
  // The SQL start would run for the expand (no backfill), without running anything.
  Result<std::string> DescribeStart(const OnlineMigration& migration);
  // The SQL complete (true) or rollback (false) would run now, without running anything.
  Result<std::string> DescribeFinish(bool complete);
  Result<StatusResult> Status();
  Result<CompleteResult> Complete(bool force);
  Result<std::string> Rollback();  // returns the name rolled back
  Result<std::string> Pause();
  Result<StartResult> Resume();

 private:
  struct Locked;
  Result<void> Lock();
  void Unlock();
  Result<void> RunSteps(const std::vector<Step>& steps, std::vector<BoundStatement> bookkeeping);
  Result<void> RunTransactionWithRetries(std::vector<BoundStatement> statements);
  Result<void> RunConcurrent(const Step& step);
  void CancelAutovacuum();  // after a lock timeout: autovacuum workers on the schema's tables
  // Whether operation i's default (Operation::DefaultToProbe) would rewrite its table in ADD
  // COLUMN, asked of PostgreSQL; false when it has none to ask about.
  Result<bool> RewritesTable(const OnlineMigration& m, const std::vector<SchemaModel>& shapes, size_t i);
  Result<StartResult> Expand(const OnlineMigration& m, const MigrationRow& stored, bool resumed);
  Result<void> Backfill(const OnlineMigration& m, const MigrationRow& row, StartResult& result);
  void Note(const std::string& line) const;

  Engine& engine_;
  OnlineOptions opt_;
  StateStore state_;
  HistoryStore history_;
  bool locked_ = false;
};

}  // namespace strata::online
