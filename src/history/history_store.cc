#include "history/history_store.h"

#include <chrono>
#include <ctime>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace strata {
namespace {

constexpr const char* kPostgresSchema = R"sql(
CREATE SCHEMA IF NOT EXISTS strata;
CREATE TABLE IF NOT EXISTS strata.meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO strata.meta VALUES ('schema_version', '2') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS strata.history (
  service text NOT NULL,
  migration_id text NOT NULL,
  name text NOT NULL,
  checksum text NOT NULL,
  status text NOT NULL CHECK (status IN ('applied', 'partial')),
  statements_done integer NOT NULL DEFAULT 0,
  statements_total integer NOT NULL DEFAULT 0,
  done_checksum text NOT NULL DEFAULT '',
  applied_by text NOT NULL,
  applied_host text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  duration_ms bigint NOT NULL DEFAULT 0,
  out_of_order boolean NOT NULL DEFAULT false,
  PRIMARY KEY (service, migration_id)
);
CREATE TABLE IF NOT EXISTS strata.lock_holder (
  service text PRIMARY KEY,
  actor text NOT NULL,
  host text NOT NULL,
  since timestamptz NOT NULL DEFAULT now(),
  session text NOT NULL,
  command text NOT NULL
);
)sql";

constexpr const char* kSqliteSchema = R"sql(
CREATE TABLE IF NOT EXISTS strata_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO strata_meta VALUES ('schema_version', '2');
CREATE TABLE IF NOT EXISTS strata_history (
  service TEXT NOT NULL,
  migration_id TEXT NOT NULL,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('applied', 'partial')),
  statements_done INTEGER NOT NULL DEFAULT 0,
  statements_total INTEGER NOT NULL DEFAULT 0,
  done_checksum TEXT NOT NULL DEFAULT '',
  applied_by TEXT NOT NULL,
  applied_host TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  duration_ms INTEGER NOT NULL DEFAULT 0,
  out_of_order INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (service, migration_id)
);
CREATE TABLE IF NOT EXISTS strata_lock_holder (
  service TEXT PRIMARY KEY,
  actor TEXT NOT NULL,
  host TEXT NOT NULL,
  since TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  session TEXT NOT NULL,
  command TEXT NOT NULL
);
)sql";

constexpr int kSchemaVersion = 2;

std::string Text(const std::optional<std::string>& v) { return v ? *v : std::string(); }

bool MissingTable(const Error& e) {
  return e.sqlstate == "42P01" || e.message.find("no such table") != std::string::npos;
}

}  // namespace

std::string NowIso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms % 1000));
}

HistoryStore::HistoryStore(Engine& engine, std::string service)
    : engine_(engine), service_(std::move(service)), postgres_(engine.kind() == EngineKind::kPostgres) {}

std::string HistoryStore::Table(std::string_view base) const {
  return postgres_ ? fmt::format("strata.{}", base) : fmt::format("strata_{}", base);
}

Result<bool> HistoryStore::Exists() {
  ASSIGN_OR_RETURN(Rows r, engine_.Query(postgres_ ? "SELECT to_regclass('strata.history') IS NOT NULL"
                                                   : "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'strata_history'"));
  std::string v = r.size() ? Text(r.rows[0][0]) : "";
  return v == "t" || v == "1";
}

Result<int> HistoryStore::SchemaVersion() {
  auto rows = engine_.Query(fmt::format("SELECT value FROM {} WHERE key = 'schema_version'", Table("meta")));
  if (!rows) {
    if (MissingTable(rows.error())) return 0;
    return std::unexpected(rows.error());
  }
  if (rows->size() == 0) return 1;
  try {
    return std::stoi(Text(rows->rows[0][0]));
  } catch (const std::exception&) {
    return MakeError(ErrorKind::kDatabase,
                     fmt::format("{}: schema_version '{}' is not a number", Table("meta"), Text(rows->rows[0][0])));
  }
}

Result<void> HistoryStore::EnsureSchema() {
  ASSIGN_OR_RETURN(int version, SchemaVersion());
  if (version == kSchemaVersion) return {};
  if (version > kSchemaVersion) {
    return MakeError(ErrorKind::kDatabase,
                     fmt::format("{} was written by a newer strata (schema_version {}; this strata knows up to {}): "
                                 "upgrade strata",
                                 engine_.redacted_url(), version, kSchemaVersion));
  }
  AuditLog log = audit();
  if (version == 0) {
    if (postgres_) return engine_.Exec(std::string("BEGIN;") + kPostgresSchema + log.CreateSql() + "COMMIT;");
    return engine_.Exec(std::string("BEGIN IMMEDIATE;") + kSqliteSchema + log.CreateSql() + "COMMIT;");
  }
  // Version 1: chain the audit records written so far, once, and say so in meta.
  std::string when = NowIso8601();
  std::string meta = Table("meta");
  std::vector<std::string> extra = {
      fmt::format("UPDATE {} SET value = '{}' WHERE key = 'schema_version'", meta, kSchemaVersion),
      fmt::format("INSERT INTO {} (key, value) VALUES ('audit_chain', 'chained the records of schema version 1 at "
                  "{}; later records chained when written')",
                  meta, when)};
  ASSIGN_OR_RETURN(long long chained, log.UpgradeToChain(engine_, extra));
  (void)chained;
  return {};
}

Result<std::vector<AppliedRecord>> HistoryStore::Load() {
  std::string at = postgres_ ? "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')" : "applied_at";
  std::string sql = fmt::format(
      "SELECT migration_id, name, checksum, status, statements_done, statements_total, applied_by, applied_host, "
      "{}, duration_ms, out_of_order, done_checksum FROM {} WHERE service = $1 ORDER BY applied_at, migration_id",
      at, Table("history"));
  Param p = service_;
  // One round trip: a missing table (42P01 / "no such table") means nothing is applied yet.
  auto rows = engine_.Query(sql, std::span<const Param>(&p, 1));
  if (!rows) {
    const Error& e = rows.error();
    if (MissingTable(e)) {
      return std::vector<AppliedRecord>{};
    }
    return std::unexpected(e);
  }
  const Rows& r = *rows;
  std::vector<AppliedRecord> out;
  out.reserve(r.size());
  for (const auto& row : r.rows) {
    AppliedRecord rec;
    rec.id = Text(row[0]);
    rec.name = Text(row[1]);
    rec.checksum = Text(row[2]);
    rec.status = Text(row[3]);
    rec.statements_done = std::stoi(Text(row[4]));
    rec.statements_total = std::stoi(Text(row[5]));
    rec.applied_by = Text(row[6]);
    rec.applied_host = Text(row[7]);
    rec.applied_at = Text(row[8]);
    rec.duration_ms = std::stoll(Text(row[9]));
    std::string ooo = Text(row[10]);
    rec.out_of_order = ooo == "t" || ooo == "1";
    rec.done_checksum = Text(row[11]);
    out.push_back(std::move(rec));
  }
  return out;
}

std::vector<BoundStatement> HistoryStore::RecordAppliedStatements(const Migration& m, const Actor& actor,
                                                                  bool out_of_order,
                                                                  const std::string& started_at) const {
  std::vector<BoundStatement> out;
  BoundStatement ins;
  std::string details =
      nlohmann::json{{"checksum", m.checksum}, {"out_of_order", out_of_order}, {"command", actor.command}}.dump();
  ins.sql = fmt::format(
      "INSERT INTO {} (service, migration_id, name, checksum, status, applied_by, applied_host, duration_ms, "
      "out_of_order) VALUES ($1, $2, $3, $4, 'applied', $5, $6, {}, $7)",
      Table("history"),
      postgres_ ? "(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint"
                : "CAST((julianday('now') - julianday($8)) * 86400000 AS INTEGER)");
  ins.params = {service_, m.id, m.name, m.checksum, actor.user, actor.host, out_of_order ? "1" : "0"};
  if (postgres_) {
    ins.params[6] = out_of_order ? "true" : "false";
    ins.prepared_name = "strata_record_apply_v2";
  } else {
    ins.params.push_back(started_at);
  }
  out.push_back(std::move(ins));
  for (auto& s : AuditStatements("apply", m.id, actor, details)) out.push_back(std::move(s));
  return out;
}

std::vector<BoundStatement> HistoryStore::RecordRolledBackStatements(const Migration& m, const Actor& actor) const {
  std::vector<BoundStatement> out;
  out.push_back(BoundStatement{fmt::format("DELETE FROM {} WHERE service = $1 AND migration_id = $2", Table("history")),
                               {service_, m.id}});
  for (auto& s : AuditStatements("rollback", m.id, actor, nlohmann::json{{"command", actor.command}}.dump())) {
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<BoundStatement> HistoryStore::AuditStatements(const std::string& action, const std::string& migration_id,
                                                          const Actor& actor, const std::string& details) const {
  return audit().AppendStatements(action, service_, migration_id, actor, details);
}

Result<void> HistoryStore::Audit(const std::string& action, const std::string& migration_id, const Actor& actor,
                                 const std::string& details) {
  return audit().Append(engine_, action, service_, migration_id, actor, details);
}

Result<void> HistoryStore::BeginPartial(const Migration& m, int statements_total, const Actor& actor, bool out_of_order) {
  BoundStatement s;
  s.sql = fmt::format(
      "INSERT INTO {} (service, migration_id, name, checksum, status, statements_done, statements_total, applied_by, "
      "applied_host, out_of_order) VALUES ($1, $2, $3, $4, 'partial', 0, $5, $6, $7, $8)",
      Table("history"));
  s.params = {service_, m.id, m.name, m.checksum, std::to_string(statements_total), actor.user, actor.host,
              out_of_order ? "1" : "0"};
  return engine_.RunTransaction(std::span<const BoundStatement>(&s, 1), Timeouts{}, true);
}

Result<void> HistoryStore::RecordProgress(const std::string& id, int statements_done,
                                          const std::string& done_checksum) {
  BoundStatement s{fmt::format("UPDATE {} SET statements_done = $3, done_checksum = $4 WHERE service = $1 AND "
                               "migration_id = $2",
                               Table("history")),
                   {service_, id, std::to_string(statements_done), done_checksum}};
  return engine_.RunTransaction(std::span<const BoundStatement>(&s, 1), Timeouts{}, true);
}

Result<void> HistoryStore::FinishPartial(const Migration& m, const Actor& actor, long long duration_ms) {
  std::vector<BoundStatement> stmts;
  stmts.push_back(BoundStatement{
      fmt::format("UPDATE {} SET status = 'applied', statements_done = statements_total, duration_ms = $3, "
                  "checksum = $4 WHERE service = $1 AND migration_id = $2",
                  Table("history")),
      {service_, m.id, std::to_string(duration_ms), m.checksum}});
  for (auto& s : AuditStatements(
           "apply", m.id, actor,
           nlohmann::json{{"checksum", m.checksum}, {"no_transaction", true}, {"command", actor.command}}.dump())) {
    stmts.push_back(std::move(s));
  }
  return engine_.RunTransaction(stmts, Timeouts{}, true);
}

Result<void> HistoryStore::UpdateChecksum(const std::string& id, const std::string& checksum, const Actor& actor,
                                          const std::string& old_checksum) {
  std::vector<BoundStatement> stmts;
  stmts.push_back(BoundStatement{
      fmt::format("UPDATE {} SET checksum = $3 WHERE service = $1 AND migration_id = $2", Table("history")),
      {service_, id, checksum}});
  for (auto& s : AuditStatements("repair", id, actor,
                                  nlohmann::json{{"old_checksum", old_checksum}, {"new_checksum", checksum}}.dump())) {
    stmts.push_back(std::move(s));
  }
  return engine_.RunTransaction(stmts, Timeouts{}, true);
}

Result<void> HistoryStore::RemoveRecord(const std::string& id, const Actor& actor) {
  std::vector<BoundStatement> stmts;
  stmts.push_back(BoundStatement{
      fmt::format("DELETE FROM {} WHERE service = $1 AND migration_id = $2", Table("history")), {service_, id}});
  for (auto& s : AuditStatements("repair", id, actor, R"({"removed_unknown":true})")) stmts.push_back(std::move(s));
  return engine_.RunTransaction(stmts, Timeouts{}, true);
}

Result<void> HistoryStore::SetLockHolder(const LockHolder& h) {
  std::vector<BoundStatement> stmts;
  stmts.push_back(BoundStatement{fmt::format("DELETE FROM {} WHERE service = $1", Table("lock_holder")), {service_}});
  stmts.push_back(BoundStatement{
      fmt::format("INSERT INTO {} (service, actor, host, session, command) VALUES ($1, $2, $3, $4, $5)",
                  Table("lock_holder")),
      {service_, h.actor, h.host, h.session, h.command}});
  return engine_.RunTransaction(stmts, Timeouts{}, false);
}

Result<void> HistoryStore::ClearLockHolder(const std::string& session) {
  BoundStatement s{fmt::format("DELETE FROM {} WHERE service = $1 AND session = $2", Table("lock_holder")),
                   {service_, session}};
  return engine_.RunTransaction(std::span<const BoundStatement>(&s, 1), Timeouts{}, false);
}

Result<std::optional<LockHolder>> HistoryStore::ReadLockHolder() {
  ASSIGN_OR_RETURN(bool exists, Exists());
  if (!exists) return std::optional<LockHolder>{};
  std::string since = postgres_ ? "to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')" : "since";
  Param p = service_;
  ASSIGN_OR_RETURN(Rows r, engine_.Query(fmt::format("SELECT actor, host, {}, session, command FROM {} WHERE service = $1",
                                                     since, Table("lock_holder")),
                                         std::span<const Param>(&p, 1)));
  if (r.size() == 0) return std::optional<LockHolder>{};
  const auto& row = r.rows[0];
  return std::optional<LockHolder>(LockHolder{Text(row[0]), Text(row[1]), Text(row[2]), Text(row[3]), Text(row[4])});
}

Result<std::vector<AuditRecord>> HistoryStore::ReadAudit(int limit) {
  ASSIGN_OR_RETURN(bool exists, Exists());
  if (!exists) return std::vector<AuditRecord>{};
  AuditFilter f;
  f.service = service_;
  f.limit = limit;
  return audit().Read(engine_, f);
}

}  // namespace strata
