// Where approvals are kept: a table beside an audit chain in one database — the control
// database (strata_control.approvals, audited in strata_control.audit) or, without [control],
// a target (strata.approvals / strata_approvals, audited in the target's strata.audit).
// Recording an approval and its audit record is one transaction.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "history/audit_log.h"
#include "util/error.h"

namespace strata::governance {

// One recorded approval.
struct Approval {
  std::string service;
  std::string migration_id;
  std::string checksum;      // ApprovalChecksum of the migration when it was approved
  std::string env;
  std::string role;
  std::string actor;
  std::string actor_source;  // "flag", "os", or the environment variable it came from
  std::string host;
  std::string at;            // ISO 8601 UTC
};

class ApprovalStore {
 public:
  // `engine` must outlive the store. Table names in the engine's dialect.
  ApprovalStore(Engine& engine, std::string approvals_table, std::string audit_table);
  // The store of a target: its history store's audit and strata.approvals / strata_approvals.
  static ApprovalStore ForTarget(Engine& engine);
  // The store of the control database (tables created by EnsureGovernanceTables).
  static ApprovalStore ForControl(Engine& engine);

  // DDL of the approvals table (idempotent).
  static std::string CreateSql(EngineKind kind, const std::string& table);

  // Target stores: creates the history store (with its audit chain) and the approvals table
  // when missing. The control database's tables come from EnsureGovernanceTables.
  Result<void> EnsureForTarget(const std::string& service);

  // Records `a` (actor, host and source from `actor`) with an "approve" audit record, in one
  // transaction. Returns false when this person had already approved this checksum with this
  // role (nothing new is stored; the repeat is still audited).
  Result<bool> Record(const Approval& a, const Actor& actor);

  // Every approval of this migration in `env` (any checksum), oldest first. Empty when the
  // table does not exist yet.
  Result<std::vector<Approval>> Load(const std::string& service, const std::string& migration_id,
                                     const std::string& env);

  Engine& engine() { return engine_; }
  AuditLog audit() const { return AuditLog(engine_.kind(), audit_table_); }

 private:
  Engine& engine_;
  std::string table_;
  std::string audit_table_;
};

}  // namespace strata::governance
