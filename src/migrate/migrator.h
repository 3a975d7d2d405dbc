// Status, apply, rollback and repair of one service on one target. The CLI runs one Migrator
// per target; everything that touches the target's schema goes through here.
//
// Safety rules it enforces:
//  - one strata at a time per target and service (Engine::TryLock, bounded wait);
//  - each migration in its own transaction with its history row, or statement by statement
//    with recorded progress when it says no-transaction (a rerun resumes);
//  - every transaction runs with a short lock_timeout and is retried with jittered,
//    doubling back-off when it times out;
//  - edited applied migrations, out-of-order migrations and several heads (without --to) are
//    refused before anything runs; applied migrations unknown to the project are reported by
//    status and validate, not refused.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/graph.h"
#include "engine/engine.h"
#include "history/history_store.h"
#include "util/error.h"

namespace strata {

struct TargetStatus {
  std::string service;
  std::string target;
  std::string url;  // redacted
  std::vector<std::string> applied;       // in graph order
  std::vector<std::string> pending;       // in the order apply would run them
  std::vector<std::string> edited;        // applied, but the file's checksum changed
  std::vector<std::string> unknown;       // in history, not in the project
  std::vector<std::string> partial;       // no-transaction migrations that stopped midway
  std::vector<std::string> out_of_order;  // pending, yet a later migration is already applied
  std::vector<std::string> heads;
  std::vector<AppliedRecord> records;
  std::optional<LockHolder> lock_holder;  // who holds the migration lock right now
};

// What a target holds for one service, read in one go (no migration files needed).
struct TargetSnapshot {
  std::vector<AppliedRecord> records;
  std::optional<LockHolder> lock_holder;  // set when another session holds the lock
};

enum class EventKind {
  kWaitingForLock,  // detail: who holds it
  kLockAcquired,
  kMigrationStart,
  kMigrationDone,   // duration_ms
  kRetry,           // attempt, delay, detail: the lock that timed out
  kStatementDone,   // no-transaction progress: index = statement done, total = statements
};

struct MigrationEvent {
  EventKind kind;
  std::string target;
  const Migration* migration = nullptr;
  int index = 0;  // 1-based position in this run
  int total = 0;
  int attempt = 0;
  std::chrono::milliseconds delay{0};
  long long duration_ms = 0;
  std::string detail;
};
using EventSink = std::function<void(const MigrationEvent&)>;

struct ApplyOptions {
  std::optional<std::string> to;  // apply only this migration and its ancestors
  bool dry_run = false;           // print the SQL instead of running it
  bool allow_out_of_order = false;
  std::chrono::milliseconds lock_wait{std::chrono::seconds(60)};
  EventSink on_event;
};

struct RollbackOptions {
  std::optional<std::string> to;  // keep this migration and its ancestors
  int steps = 1;                  // otherwise: this many, newest first
  bool dry_run = false;
  std::chrono::milliseconds lock_wait{std::chrono::seconds(60)};
  EventSink on_event;
};

struct RunResult {
  std::vector<std::string> done;   // ids applied / rolled back, in order
  std::string sql;                 // dry run: exactly the SQL that would run
  std::optional<Error> error;      // set when the run stopped early
  bool ok() const { return !error.has_value(); }
};

class Migrator {
 public:
  // `graph` and `engine` must outlive the Migrator. `settings` are the service's effective
  // settings (project defaults merged with the service's); each migration may override them.
  Migrator(const MigrationGraph& graph, ExecSettings settings, Engine& engine, std::string service,
           std::string target, Actor actor);

  Result<TargetStatus> Status();
  // The database half of Status, for running while the migration files load (see cmd_status).
  static Result<TargetSnapshot> ReadSnapshot(Engine& engine, const std::string& service);
  // The file half: compares a snapshot with the graph.
  TargetStatus StatusFrom(TargetSnapshot snapshot) const;
  RunResult Apply(const ApplyOptions& options);
  RunResult Rollback(const RollbackOptions& options);
  // Realigns recorded checksums with the files (and, when asked, drops rows of migrations the
  // project no longer has). Returns the ids touched. Audited.
  Result<std::vector<std::string>> Repair(bool remove_unknown, std::chrono::milliseconds lock_wait);

 private:
  struct Locked;  // RAII holder of the migration lock
  Result<void> AcquireLock(std::chrono::milliseconds wait, const EventSink& sink);
  // Ends a run early: releases the lock, audits a database or lock failure (`audit_action`),
  // and returns `res` carrying the error.
  RunResult Stop(RunResult& res, Error e, const char* audit_action);
  // Records `m` as done in `res` and reports it with its duration since `started`.
  void Done(RunResult& res, const Migration& m, int index, int total,
            std::chrono::steady_clock::time_point started, const EventSink& sink) const;
  // After a lock timeout with retries left: reports the retry, sleeps the jittered back-off and
  // returns true. Otherwise false.
  bool WaitToRetry(const Migration& m, const Error& e, int attempt, const EventSink& sink, int index,
                   int total) const;
  void ReleaseLock();
  // Runs `stmts` (the split `section`) and `bookkeeping` in one transaction, retrying lock timeouts.
  Result<void> RunTransactional(const Migration& m, const Section& section, const std::vector<SqlStatement>& stmts,
                                std::vector<BoundStatement> bookkeeping, bool durable, const EventSink& sink,
                                int index, int total);
  // Runs the split up section statement by statement, recording progress (resumes `partial`).
  Result<void> RunNoTransaction(const Migration& m, const std::vector<SqlStatement>& stmts,
                                const AppliedRecord* partial, bool out_of_order, const EventSink& sink, int index,
                                int total);
  // PostgreSQL: drops `index` when it exists and is INVALID (a failed or killed CREATE INDEX
  // CONCURRENTLY). Returns whether it dropped it.
  Result<bool> DropInvalidIndex(const std::string& index, const Timeouts& timeouts);
  Result<std::vector<SqlStatement>> SplitSection(const Migration& m, const Section& section) const;
  Timeouts TimeoutsFor(const Migration& m) const;
  ExecSettings SettingsFor(const Migration& m) const;
  // Exactly the SQL Apply/Rollback would send for `m` (engine's own rendering).
  std::string DryRunText(const Migration& m, const Section& section, const std::vector<SqlStatement>& stmts,
                         const std::vector<BoundStatement>& bookkeeping, bool durable, bool rollback) const;

  const MigrationGraph& graph_;
  ExecSettings settings_;
  Engine& engine_;
  HistoryStore history_;
  std::string service_;
  std::string target_;
  Actor actor_;
  bool locked_ = false;
};

// The delay before retry number `attempt` (0-based): base·2^attempt, at most 30 s, times a
// random factor in [0.5, 1.5).
std::chrono::milliseconds RetryDelay(int attempt, std::chrono::milliseconds base);

}  // namespace strata
