// Governance in the control database: its audit chain (strata_control.audit /
// strata_control_audit, the same AuditLog as every target's) and its approvals table.
// The rollout orchestrator audits pause, resume and its runs here with AuditControl.
#pragma once

#include <string>

#include "control/control_db.h"
#include "governance/approval_store.h"
#include "history/audit_log.h"
#include "util/error.h"

namespace strata::governance {

// Creates (or brings up to date) the governance tables of the control database, as its
// module "governance" (ControlDb::EnsureModule). Idempotent; one query when up to date.
Result<void> EnsureGovernanceTables(ControlDb& db);

// The control database's audit chain.
AuditLog ControlAuditLog(const ControlDb& db);

// Appends one record to the control database's audit chain (ensuring the tables first), in a
// transaction of its own. `details` is a JSON object text; secrets are redacted.
Result<void> AuditControl(ControlDb& db, const std::string& action, const std::string& service,
                          const std::string& migration_id, const Actor& actor, const std::string& details);

}  // namespace strata::governance
