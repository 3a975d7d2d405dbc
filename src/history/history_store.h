// What has been applied to one target, kept in the target itself:
//   PostgreSQL: schema `strata` with tables history, audit, lock_holder, meta.
//   SQLite:     tables strata_history, strata_audit, strata_lock_holder, strata_meta.
// The audit table is append-only and hash-chained (history/audit_log.h); triggers reject
// UPDATE and DELETE. Rows are keyed by service, so services that share one database keep
// separate histories (the audit chain is one per database, across its services).
//
// Schema versions (strata.meta 'schema_version'): 1 = first release; 2 = the audit gets
// prev_hash and hash. EnsureSchema upgrades a version-1 store in place, chaining its existing
// audit records once, and records when in meta 'audit_chain'.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/migration.h"
#include "engine/engine.h"
#include "history/audit_log.h"
#include "util/error.h"

namespace strata {

struct AppliedRecord {
  std::string id;
  std::string name;
  std::string checksum;
  std::string status;  // "applied", or "partial" for a no-transaction migration that stopped midway
  int statements_done = 0;
  int statements_total = 0;
  std::string applied_by;
  std::string applied_host;
  std::string applied_at;  // ISO 8601
  long long duration_ms = 0;
  bool out_of_order = false;
  // Partial rows: SHA-256 of the statements already run, so that a rerun may resume after
  // the failing statement was fixed, but not after a statement that already ran was edited.
  std::string done_checksum;
};

struct LockHolder {
  std::string actor;
  std::string host;
  std::string since;    // ISO 8601
  std::string session;  // backend pid / process id
  std::string command;
};

class HistoryStore {
 public:
  // `engine` must outlive the store.
  HistoryStore(Engine& engine, std::string service);

  // True when the history tables exist in the target.
  Result<bool> Exists();
  // Creates the tables if missing, or upgrades them from an older schema version (kDatabase for
  // a store written by a newer strata). Run it while holding the migration lock.
  Result<void> EnsureSchema();
  // The store's schema version: 0 when it does not exist yet.
  Result<int> SchemaVersion();
  // Every history row of this service (empty when the tables do not exist yet).
  Result<std::vector<AppliedRecord>> Load();

  // Statements that record `m` as applied; run them inside the migration's own transaction so
  // the schema change and its record commit together. `started_at` is the client's ISO 8601
  // UTC start time (SQLite computes the duration from it; PostgreSQL uses its own clock).
  std::vector<BoundStatement> RecordAppliedStatements(const Migration& m, const Actor& actor, bool out_of_order,
                                                      const std::string& started_at) const;
  // Statements that remove `m`'s row and audit the rollback, for the down's transaction.
  std::vector<BoundStatement> RecordRolledBackStatements(const Migration& m, const Actor& actor) const;
  // The statements of one audit append (details is a JSON object text), for a transaction.
  std::vector<BoundStatement> AuditStatements(const std::string& action, const std::string& migration_id,
                                              const Actor& actor, const std::string& details) const;
  // Audits in its own transaction.
  Result<void> Audit(const std::string& action, const std::string& migration_id, const Actor& actor,
                     const std::string& details);

  // No-transaction migrations: a "partial" row created before the first statement, advanced
  // after each statement, and turned into "applied" (with the audit and the file's current
  // checksum) at the end.
  Result<void> BeginPartial(const Migration& m, int statements_total, const Actor& actor, bool out_of_order);
  Result<void> RecordProgress(const std::string& id, int statements_done, const std::string& done_checksum);
  Result<void> FinishPartial(const Migration& m, const Actor& actor, long long duration_ms);

  // `strata repair`: realign the recorded checksum with the file.
  Result<void> UpdateChecksum(const std::string& id, const std::string& checksum, const Actor& actor,
                              const std::string& old_checksum);
  // Remove the row of a migration the project no longer has (repair --remove-unknown).
  Result<void> RemoveRecord(const std::string& id, const Actor& actor);

  Result<void> SetLockHolder(const LockHolder& holder);
  Result<void> ClearLockHolder(const std::string& session);
  Result<std::optional<LockHolder>> ReadLockHolder();

  // This service's audit records, newest first; `limit` 0 means all. Empty when no store.
  Result<std::vector<AuditRecord>> ReadAudit(int limit);
  // The audit chain of this database (all services).
  AuditLog audit() const { return AuditLog(engine_.kind(), Table("audit")); }

  const std::string& service() const { return service_; }
  // Table names in this engine's dialect.
  std::string Table(std::string_view base) const;

 private:
  Engine& engine_;
  std::string service_;
  bool postgres_;
};

// The current UTC time as ISO 8601 with milliseconds ("2026-11-21T10:00:00.123Z").
std::string NowIso8601();

}  // namespace strata
