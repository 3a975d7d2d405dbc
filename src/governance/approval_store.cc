#include "governance/approval_store.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "history/history_store.h"

namespace strata::governance {
namespace {

std::string Text(const std::optional<std::string>& v) { return v ? *v : std::string(); }

bool MissingTable(const Error& e) {
  return e.sqlstate == "42P01" || e.message.find("no such table") != std::string::npos;
}

}  // namespace

ApprovalStore::ApprovalStore(Engine& engine, std::string approvals_table, std::string audit_table)
    : engine_(engine), table_(std::move(approvals_table)), audit_table_(std::move(audit_table)) {}

ApprovalStore ApprovalStore::ForTarget(Engine& engine) {
  bool pg = engine.kind() == EngineKind::kPostgres;
  return ApprovalStore(engine, pg ? "strata.approvals" : "strata_approvals", pg ? "strata.audit" : "strata_audit");
}

ApprovalStore ApprovalStore::ForControl(Engine& engine) {
  bool pg = engine.kind() == EngineKind::kPostgres;
  return ApprovalStore(engine, pg ? "strata_control.approvals" : "strata_control_approvals",
                       pg ? "strata_control.audit" : "strata_control_audit");
}

std::string ApprovalStore::CreateSql(EngineKind kind, const std::string& table) {
  bool pg = kind == EngineKind::kPostgres;
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (service TEXT NOT NULL, migration_id TEXT NOT NULL, checksum TEXT NOT NULL, "
      "env TEXT NOT NULL, role TEXT NOT NULL, actor TEXT NOT NULL, actor_source TEXT NOT NULL, host TEXT NOT NULL, "
      "at {} NOT NULL DEFAULT {}, PRIMARY KEY (service, migration_id, env, checksum, role, actor))",
      table, pg ? "timestamptz" : "TEXT", pg ? "clock_timestamp()" : "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
}

Result<void> ApprovalStore::EnsureForTarget(const std::string& service) {
  HistoryStore history(engine_, service);
  TRY_VOID(history.EnsureSchema());
  return engine_.Exec(CreateSql(engine_.kind(), table_));
}

Result<bool> ApprovalStore::Record(const Approval& a, const Actor& actor) {
  ASSIGN_OR_RETURN(std::vector<Approval> existing, Load(a.service, a.migration_id, a.env));
  bool repeat = false;
  for (const Approval& e : existing) {
    repeat |= e.checksum == a.checksum && e.role == a.role && e.actor == actor.user;
  }
  std::vector<BoundStatement> stmts;
  stmts.push_back(BoundStatement{
      fmt::format("INSERT INTO {} (service, migration_id, checksum, env, role, actor, actor_source, host) VALUES ($1, "
                  "$2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                  table_),
      {a.service, a.migration_id, a.checksum, a.env, a.role, actor.user, actor.source, actor.host},
      ""});
  nlohmann::json details = {{"env", a.env}, {"role", a.role}, {"checksum", a.checksum}, {"command", actor.command}};
  if (repeat) details["repeat"] = true;
  for (auto& s : audit().AppendStatements("approve", a.service, a.migration_id, actor, details.dump())) {
    stmts.push_back(std::move(s));
  }
  TRY_VOID(engine_.RunTransaction(stmts, Timeouts{}, true));
  return !repeat;
}

Result<std::vector<Approval>> ApprovalStore::Load(const std::string& service, const std::string& migration_id,
                                                  const std::string& env) {
  std::string at = engine_.kind() == EngineKind::kPostgres
                       ? "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                       : "at";
  std::vector<Param> params = {service, migration_id, env};
  auto rows = engine_.Query(fmt::format("SELECT service, migration_id, checksum, env, role, actor, actor_source, host, "
                                        "{} FROM {} WHERE service = $1 AND migration_id = $2 AND env = $3 ORDER BY at, "
                                        "actor, role",
                                        at, table_),
                            params);
  if (!rows) {
    if (MissingTable(rows.error())) return std::vector<Approval>{};
    return std::unexpected(rows.error());
  }
  std::vector<Approval> out;
  for (const auto& r : rows->rows) {
    out.push_back(Approval{Text(r[0]), Text(r[1]), Text(r[2]), Text(r[3]), Text(r[4]), Text(r[5]), Text(r[6]),
                           Text(r[7]), Text(r[8])});
  }
  return out;
}

}  // namespace strata::governance
