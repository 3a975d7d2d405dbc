// The audit trail: an append-only, hash-chained table of every action strata takes. One
// implementation for every place that keeps one: each target's history store
// (`strata.audit` / `strata_audit`) and the control database (`strata_control.audit` /
// `strata_control_audit`).
//
// The chain. Record n stores prev_hash = hash of record n-1 ("" for the first) and
//   hash = lower-case hex SHA-256 of Canonical(record)
// where Canonical is "strata-audit-v1|" followed by, for each field in this order
//   seq, at, actor, host, action, service, migration_id, details, prev_hash
// its length in bytes, ':', the bytes, '|' (so no two different records serialise alike).
// `at` is ISO 8601 UTC as stored: microseconds in PostgreSQL ("2026-11-22T01:02:03.456789Z"),
// milliseconds in SQLite ("2026-11-22T01:02:03.456Z"); a NULL migration id
// is ""; details is the JSON object text as stored (PostgreSQL: jsonb's normal form).
// The hash is computed by the database in the INSERT (sha256() in PostgreSQL, the
// strata_sha256() function the SQLite engine registers), so that the record, its sequence
// number and its predecessor are decided in one statement; Verify recomputes it here, in C++.
//
// Appends are serialised, so the chain cannot fork: PostgreSQL takes a transaction-level
// advisory lock on the table before reading the head; SQLite writes under BEGIN IMMEDIATE.
// prev_hash is UNIQUE as a second guard. UPDATE, DELETE and TRUNCATE are refused by triggers.
//
// Secrets: every details text passes through RedactSecrets before it is stored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/error.h"

namespace strata {

// Who is acting, for history and audit rows.
struct Actor {
  std::string user;
  std::string host;
  std::string command;  // e.g. "apply --to 0003"
  // Where `user` came from: "flag" (--actor), an environment variable's name
  // (STRATA_ACTOR, GITHUB_ACTOR, …) or "os". Recorded in the audit details as actor_source.
  std::string source;
};

struct AuditRecord {
  long long seq = 0;
  std::string at;  // ISO 8601 UTC (PostgreSQL: microseconds; SQLite: milliseconds)
  std::string action;  // apply, apply-failed, rollback, repair, hash, force-out-of-order, approve, …
  std::string service;
  std::string migration_id;
  std::string actor;
  std::string host;
  std::string details;  // JSON object text
  std::string prev_hash;
  std::string hash;
};

// Which records `Read` returns. Empty fields do not filter.
struct AuditFilter {
  std::string service;
  std::string action;
  std::string actor;
  std::string migration_id;
  std::string since;  // ISO 8601 (a date "2026-11-22" or a full timestamp); inclusive
  std::string until;  // exclusive
  int limit = 0;      // newest `limit` records; 0: all
};

// What `Verify` found. `ok` when every record's hash is right and links to its predecessor.
struct AuditVerifyReport {
  bool ok = true;
  long long records = 0;       // records checked
  long long unchained = 0;     // records from before the chain (none after an upgrade)
  std::string head_hash;       // hash of the newest record
  long long bad_seq = 0;       // the first bad record (0 when ok)
  std::string problem;         // "edited", "missing", "reordered", "broken link", …
  std::string message;         // one sentence naming the record and what is wrong
};

// The bytes that are hashed (see above).
std::string AuditCanonical(const AuditRecord& r);
// Sha256Hex(AuditCanonical(r)).
std::string AuditHash(const AuditRecord& r);

class AuditLog {
 public:
  // `table` is the qualified table name in the engine's dialect: "strata.audit",
  // "strata_audit", "strata_control.audit", "strata_control_audit".
  AuditLog(EngineKind kind, std::string table);

  const std::string& table() const { return table_; }

  // DDL creating the table, its indexes and the append-only triggers (idempotent; one script).
  std::string CreateSql() const;

  // The statements appending one record, to run in the caller's transaction (after the
  // statements the record describes, so the chain lock is held only until the commit).
  // `details` is a JSON object text ("" for {}); the actor's source is added to it.
  std::vector<BoundStatement> AppendStatements(const std::string& action, const std::string& service,
                                               const std::string& migration_id, const Actor& actor,
                                               const std::string& details) const;
  // The same, in a transaction of its own (durable).
  Result<void> Append(Engine& engine, const std::string& action, const std::string& service,
                      const std::string& migration_id, const Actor& actor, const std::string& details) const;

  // Records matching `filter`, newest first.
  Result<std::vector<AuditRecord>> Read(Engine& engine, const AuditFilter& filter) const;

  // Recomputes the whole chain, oldest first, and reports the first record that is edited
  // (hash differs), missing (a gap in seq, or a prev_hash that is not its predecessor's hash)
  // or reordered. kDatabase only when the table cannot be read.
  Result<AuditVerifyReport> Verify(Engine& engine) const;

  // True when the table has the chain columns (prev_hash, hash).
  Result<bool> IsChained(Engine& engine) const;
  // Upgrades a table created before the chain: adds prev_hash and hash, chains the existing
  // rows once in seq order, adds the constraints, runs `extra_sql` (e.g. the caller's version
  // bump) and returns how many rows it chained. All in one transaction of its own with the
  // table locked; a table found already chained is left alone (returns 0, `extra_sql` not run).
  Result<long long> UpgradeToChain(Engine& engine, const std::vector<std::string>& extra_sql = {}) const;

 private:
  std::string AtText(std::string_view column) const;  // SQL rendering `column` as ISO 8601 µs
  EngineKind kind_;
  std::string table_;
  std::string name_;  // table_ with '.' → '_', for index, trigger and statement names
};

}  // namespace strata
