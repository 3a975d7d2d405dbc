#include "rollout/rollout_store.h"

#include <fmt/format.h>

#include "history/history_store.h"
#include "util/database_url.h"
#include "util/text.h"

namespace strata::rollout {
namespace {

std::vector<std::string> Ddl(bool pg) {
  std::string serial = pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
  return {
      "CREATE TABLE {schema}rollouts (id " + serial +
          ", env TEXT NOT NULL, plan_hash TEXT NOT NULL, plan TEXT NOT NULL, state TEXT NOT NULL, "
          "pause_requested INTEGER NOT NULL DEFAULT 0, stages_passed INTEGER NOT NULL DEFAULT 0, stage TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '', "
          "created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
      "CREATE TABLE {schema}rollout_targets (rollout_id BIGINT NOT NULL REFERENCES {schema}rollouts (id), target TEXT "
      "NOT NULL, service TEXT NOT NULL, wave INTEGER NOT NULL, stage INTEGER NOT NULL, state TEXT NOT NULL, applied "
      "TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0, duration_ms "
      "BIGINT NOT NULL DEFAULT 0, updated_at TEXT NOT NULL, PRIMARY KEY (rollout_id, target))",
      "CREATE TABLE {schema}env_migrations (env TEXT NOT NULL, service TEXT NOT NULL, migration_id TEXT NOT NULL, "
      "checksum TEXT NOT NULL, rollout_id BIGINT NOT NULL, succeeded_at TEXT NOT NULL, PRIMARY KEY (env, service, "
      "migration_id))",
      "CREATE INDEX rollouts_env_state ON {schema}rollouts (env, state)",
  };
}

std::string Cell(const std::optional<std::string>& v) { return v.value_or(""); }

RolloutRecord ToRecord(const std::vector<std::optional<std::string>>& r) {
  RolloutRecord rec;
  rec.id = std::stoll(Cell(r[0]));
  rec.env = Cell(r[1]);
  rec.plan_hash = Cell(r[2]);
  rec.plan_json = Cell(r[3]);
  rec.state = Cell(r[4]);
  rec.pause_requested = Cell(r[5]) == "1";
  rec.stage = Cell(r[6]);
  rec.message = Cell(r[7]);
  rec.created_by = Cell(r[8]);
  rec.created_at = Cell(r[9]);
  rec.updated_at = Cell(r[10]);
  rec.stages_passed = std::stoi(Cell(r[11]));
  return rec;
}

constexpr const char* kRolloutColumns =
    "id, env, plan_hash, plan, state, pause_requested, stage, message, created_by, created_at, updated_at, "
    "stages_passed";

std::vector<std::string> SplitIds(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t c = s.find(',', pos);
    if (c == std::string::npos) c = s.size();
    if (c > pos) out.push_back(s.substr(pos, c - pos));
    pos = c + 1;
  }
  return out;
}

}  // namespace

RolloutStore::RolloutStore(ControlDb& db) : db_(db), pg_(db.kind() == EngineKind::kPostgres) {}

Result<void> RolloutStore::EnsureSchema() { return db_.EnsureModule("rollout", Ddl(pg_)); }

Result<std::optional<RolloutRecord>> RolloutStore::FindUnfinished(const std::string& env) {
  Param p = env;
  ASSIGN_OR_RETURN(Rows rows, db_.engine().Query(db_.Sql(fmt::format("SELECT {} FROM {{schema}}rollouts WHERE env = $1 "
                                                                     "AND state IN ('running', 'paused', 'failed') "
                                                                     "ORDER BY id DESC LIMIT 1",
                                                                     kRolloutColumns)),
                                                 std::span<const Param>(&p, 1)));
  if (rows.size() == 0) return std::optional<RolloutRecord>();
  return std::optional<RolloutRecord>(ToRecord(rows.rows[0]));
}

Result<RolloutRecord> RolloutStore::Get(long long id) {
  Param p = std::to_string(id);
  ASSIGN_OR_RETURN(Rows rows, db_.engine().Query(db_.Sql(fmt::format("SELECT {} FROM {{schema}}rollouts WHERE id = "
                                                                     "CAST($1 AS BIGINT)",
                                                                     kRolloutColumns)),
                                                 std::span<const Param>(&p, 1)));
  if (rows.size() == 0) return MakeError(ErrorKind::kInput, fmt::format("there is no rollout {}", id));
  return ToRecord(rows.rows[0]);
}

Result<std::vector<RolloutRecord>> RolloutStore::List(const std::string& env, int limit) {
  std::vector<Param> params = {env, std::to_string(limit > 0 ? limit : 1000000)};
  ASSIGN_OR_RETURN(Rows rows, db_.engine().Query(db_.Sql(fmt::format("SELECT {} FROM {{schema}}rollouts WHERE ($1 = '' "
                                                                     "OR env = $1) ORDER BY id DESC LIMIT CAST($2 AS "
                                                                     "BIGINT)",
                                                                     kRolloutColumns)),
                                                 params));
  std::vector<RolloutRecord> out;
  for (const auto& r : rows.rows) out.push_back(ToRecord(r));
  return out;
}

Result<std::vector<TargetRecord>> RolloutStore::Targets(long long id) {
  Param p = std::to_string(id);
  ASSIGN_OR_RETURN(Rows rows, db_.engine().Query(db_.Sql("SELECT target, service, wave, stage, state, applied, error, "
                                                         "attempts, duration_ms FROM {schema}rollout_targets WHERE "
                                                         "rollout_id = CAST($1 AS BIGINT) ORDER BY stage, target"),
                                                 std::span<const Param>(&p, 1)));
  std::vector<TargetRecord> out;
  for (const auto& r : rows.rows) {
    TargetRecord t;
    t.target = Cell(r[0]);
    t.service = Cell(r[1]);
    t.wave = std::stoi(Cell(r[2]));
    t.stage = std::stoi(Cell(r[3]));
    t.state = Cell(r[4]);
    t.applied = SplitIds(Cell(r[5]));
    t.error = Cell(r[6]);
    t.attempts = std::stoi(Cell(r[7]));
    t.duration_ms = std::stoll(Cell(r[8]));
    out.push_back(std::move(t));
  }
  return out;
}

Result<long long> RolloutStore::Create(const RolloutPlan& plan, const std::string& plan_json,
                                       const std::string& created_by) {
  std::string now = NowIso8601();
  Engine& e = db_.engine();
  TRY_VOID(e.Exec(pg_ ? "BEGIN" : "BEGIN IMMEDIATE"));
  auto body = [&]() -> Result<long long> {
    std::vector<Param> params = {plan.env, plan.hash, RedactSecrets(plan_json), RedactSecrets(created_by), now, now};
    ASSIGN_OR_RETURN(Rows rows, e.Query(db_.Sql("INSERT INTO {schema}rollouts (env, plan_hash, plan, state, created_by, "
                                                "created_at, updated_at) VALUES ($1, $2, $3, 'running', $4, $5, $6) "
                                                "RETURNING id"),
                                        params));
    long long id = std::stoll(Cell(rows.rows.at(0)[0]));
    // Many targets: multi-row inserts of up to 500 rows (6 parameters each).
    const size_t chunk = 500;
    for (size_t i = 0; i < plan.targets.size(); i += chunk) {
      std::string sql = db_.Sql("INSERT INTO {schema}rollout_targets (rollout_id, target, service, wave, stage, "
                                "state, updated_at) VALUES ");
      std::vector<Param> ps;
      size_t end = std::min(plan.targets.size(), i + chunk);
      for (size_t j = i; j < end; ++j) {
        const PlanTarget& t = plan.targets[j];
        size_t b = ps.size();
        sql += fmt::format("{}(CAST(${} AS BIGINT), ${}, ${}, CAST(${} AS INTEGER), CAST(${} AS INTEGER), 'pending', ${})",
                           j == i ? "" : ", ", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6);
        ps.insert(ps.end(), {std::to_string(id), t.name, t.service, std::to_string(t.wave), std::to_string(t.stage), now});
      }
      TRY_VOID(e.Query(sql, ps));
    }
    TRY_VOID(e.Exec("COMMIT"));
    return id;
  };
  auto r = body();
  if (!r) (void)e.Exec("ROLLBACK");
  return r;
}

Result<void> RolloutStore::MarkRunning(long long id, const std::vector<std::string>& targets) {
  std::string now = NowIso8601();
  std::vector<BoundStatement> stmts;
  const size_t chunk = 500;
  for (size_t i = 0; i < targets.size(); i += chunk) {
    size_t end = std::min(targets.size(), i + chunk);
    std::string list;
    std::vector<Param> ps = {std::to_string(id), now};
    for (size_t j = i; j < end; ++j) {
      list += fmt::format("{}${}", j == i ? "" : ", ", ps.size() + 1);
      ps.push_back(targets[j]);
    }
    stmts.push_back({db_.Sql("UPDATE {schema}rollout_targets SET state = 'running', attempts = attempts + 1, "
                             "updated_at = $2 WHERE rollout_id = CAST($1 AS BIGINT) AND target IN (" + list + ")"),
                     ps, ""});
  }
  if (stmts.empty()) return {};
  return db_.engine().RunTransaction(stmts, Timeouts{}, true);
}

Result<bool> RolloutStore::RecordResults(long long id, const std::vector<TargetResult>& results) {
  std::string now = NowIso8601();
  std::vector<BoundStatement> stmts;
  stmts.reserve(results.size() + 1);
  for (const auto& r : results) {
    stmts.push_back({db_.Sql("UPDATE {schema}rollout_targets SET state = $3, applied = $4, error = $5, duration_ms = "
                             "CAST($6 AS BIGINT), updated_at = $7 WHERE rollout_id = CAST($1 AS BIGINT) AND target = $2"),
                     {std::to_string(id), r.target, r.state, Join(r.applied, ","), RedactSecrets(r.error),
                      std::to_string(r.duration_ms), now},
                     ""});
  }
  stmts.push_back({db_.Sql("UPDATE {schema}rollouts SET updated_at = $2 WHERE id = CAST($1 AS BIGINT)"),
                   {std::to_string(id), now}, ""});
  TRY_VOID(db_.engine().RunTransaction(stmts, Timeouts{}, true));
  return PauseRequested(id);
}

Result<bool> RolloutStore::PauseRequested(long long id) {
  Param p = std::to_string(id);
  ASSIGN_OR_RETURN(Rows rows, db_.engine().Query(db_.Sql("SELECT pause_requested FROM {schema}rollouts WHERE id = "
                                                         "CAST($1 AS BIGINT)"),
                                                 std::span<const Param>(&p, 1)));
  return rows.size() == 1 && Cell(rows.rows[0][0]) == "1";
}

Result<void> RolloutStore::SetState(long long id, const std::string& state, const std::string& stage,
                                    const std::string& message) {
  std::vector<BoundStatement> stmts = {
      {db_.Sql("UPDATE {schema}rollouts SET state = $2, stage = $3, message = $4, updated_at = $5, pause_requested = "
               "CASE WHEN $2 = 'running' THEN pause_requested ELSE 0 END WHERE id = CAST($1 AS BIGINT)"),
       {std::to_string(id), state, stage, RedactSecrets(message), NowIso8601()},
       ""}};
  return db_.engine().RunTransaction(stmts, Timeouts{}, true);
}

Result<void> RolloutStore::SetStagesPassed(long long id, int stages) {
  std::vector<BoundStatement> stmts = {
      {db_.Sql("UPDATE {schema}rollouts SET stages_passed = CAST($2 AS INTEGER), updated_at = $3 WHERE id = CAST($1 "
               "AS BIGINT)"),
       {std::to_string(id), std::to_string(stages), NowIso8601()},
       ""}};
  return db_.engine().RunTransaction(stmts, Timeouts{}, true);
}

Result<RolloutRecord> RolloutStore::RequestPause(long long id, bool pause) {
  ASSIGN_OR_RETURN(RolloutRecord rec, Get(id));
  if (rec.state != "running" && rec.state != "paused" && !(rec.state == "failed" && !pause)) {
    return MakeError(ErrorKind::kInput, fmt::format("rollout {} is {}: nothing to {}", id, rec.state, pause ? "pause" : "resume"));
  }
  std::vector<BoundStatement> stmts = {
      {db_.Sql("UPDATE {schema}rollouts SET pause_requested = CAST($2 AS INTEGER), updated_at = $3 WHERE id = CAST($1 "
               "AS BIGINT)"),
       {std::to_string(id), pause ? "1" : "0", NowIso8601()},
       ""}};
  TRY_VOID(db_.engine().RunTransaction(stmts, Timeouts{}, true));
  return Get(id);
}

Result<std::set<std::string>> RolloutStore::SucceededIn(const std::string& env) {
  Param p = env;
  ASSIGN_OR_RETURN(Rows rows, db_.engine().Query(db_.Sql("SELECT service, migration_id FROM {schema}env_migrations "
                                                         "WHERE env = $1"),
                                                 std::span<const Param>(&p, 1)));
  std::set<std::string> out;
  for (const auto& r : rows.rows) out.insert(Cell(r[0]) + "/" + Cell(r[1]));
  return out;
}

Result<std::map<std::string, std::string>> RolloutStore::SucceededChecksums(const std::string& env) {
  Param p = env;
  ASSIGN_OR_RETURN(Rows rows, db_.engine().Query(db_.Sql("SELECT service, migration_id, checksum FROM "
                                                         "{schema}env_migrations WHERE env = $1"),
                                                 std::span<const Param>(&p, 1)));
  std::map<std::string, std::string> out;
  for (const auto& r : rows.rows) out[Cell(r[0]) + "/" + Cell(r[1])] = Cell(r[2]);
  return out;
}

Result<void> RolloutStore::RecordSucceeded(const std::string& env, long long rollout_id,
                                           const std::vector<PlanMigration>& ms) {
  std::string now = NowIso8601();
  std::vector<BoundStatement> stmts;
  for (const auto& m : ms) {
    stmts.push_back({db_.Sql("INSERT INTO {schema}env_migrations (env, service, migration_id, checksum, rollout_id, "
                             "succeeded_at) VALUES ($1, $2, $3, $4, CAST($5 AS BIGINT), $6) ON CONFLICT (env, service, "
                             "migration_id) DO UPDATE SET checksum = excluded.checksum, rollout_id = "
                             "excluded.rollout_id, succeeded_at = excluded.succeeded_at"),
                     {env, m.service, m.id, m.checksum, std::to_string(rollout_id), now},
                     ""});
  }
  if (stmts.empty()) return {};
  return db_.engine().RunTransaction(stmts, Timeouts{}, true);
}

}  // namespace strata::rollout
