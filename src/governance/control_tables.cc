#include "governance/control_tables.h"

namespace strata::governance {

AuditLog ControlAuditLog(const ControlDb& db) {
  return AuditLog(db.kind(), db.kind() == EngineKind::kPostgres ? "strata_control.audit" : "strata_control_audit");
}

Result<void> EnsureGovernanceTables(ControlDb& db) {
  // Versions of the module "governance": append, never edit.
  std::vector<std::string> ddl = {
      ControlAuditLog(db).CreateSql(),
      ApprovalStore::CreateSql(db.kind(), db.kind() == EngineKind::kPostgres ? "strata_control.approvals"
                                                                             : "strata_control_approvals"),
  };
  return db.EnsureModule("governance", ddl);
}

Result<void> AuditControl(ControlDb& db, const std::string& action, const std::string& service,
                          const std::string& migration_id, const Actor& actor, const std::string& details) {
  TRY_VOID(EnsureGovernanceTables(db));
  return ControlAuditLog(db).Append(db.engine(), action, service, migration_id, actor, details);
}

}  // namespace strata::governance
