#include "online/online_runner.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "migrate/autovacuum.h"
#include "migrate/migrator.h"
#include "online/default_probe.h"
#include "online/session_settings.h"
#include "online/sql_text.h"
#include "online/trigger_builder.h"
#include "online/version_schema.h"

namespace strata::online {

using std::chrono::milliseconds;

namespace {

enum class Phase { kStart, kComplete, kRollback };

// `down` rules name columns as their operation left them (shapes[i+1]); the trigger evaluates
// them over the new version's row, where a later rename_column may have named them otherwise:
// back to the new version's names (matched by physical column).
void ToNewVersionNames(const SchemaModel& after, const SchemaModel& last, Plan& plan) {
  for (auto& r : plan.rules) {
    if (!r.from_new) continue;
    const ModelTable* then = after.FindPhysical(r.table);
    const ModelTable* now = last.FindPhysical(r.table);
    if (!then || !now) continue;
    auto names = NamesIn(*then, *now);
    if (!names.empty()) r.expr = RewriteColumns(r.expr, names);
  }
}

// How many operations `start` asks PostgreSQL about before it writes anything: those before the
// first raw sql one (which may create what later ones name).
size_t AskedBeforeStart(const OnlineMigration& m) {
  size_t i = 0;
  while (i < m.operations.size() && !m.operations[i]->unsafe()) ++i;
  return i;
}

// Operation i's plan for one phase (shapes[i] -> shapes[i+1]). `rewriting`: the operations
// whose default PostgreSQL said would rewrite the table (MigrationRow::rewriting_defaults).
Plan PlanOne(const OnlineMigration& m, const std::vector<SchemaModel>& shapes, const std::string& schema, Phase phase,
             const std::set<int>& rewriting, size_t i) {
  Plan plan;
  OpEnv env{schema, &shapes[i], &shapes[i + 1], &shapes.front(), rewriting.contains(static_cast<int>(i)),
            &shapes.back()};
  switch (phase) {
    case Phase::kStart:
      m.operations[i]->Start(env, plan);
      ToNewVersionNames(shapes[i + 1], shapes.back(), plan);
      break;
    case Phase::kComplete: m.operations[i]->Complete(env, plan); break;
    case Phase::kRollback: m.operations[i]->Rollback(env, plan); break;
  }
  return plan;
}

// The operations' plan for one phase, operation by operation.
std::vector<Plan> PlanEach(const OnlineMigration& m, const std::vector<SchemaModel>& shapes, const std::string& schema,
                           Phase phase, const std::set<int>& rewriting) {
  std::vector<Plan> plans;
  for (size_t i = 0; i < m.operations.size(); ++i) plans.push_back(PlanOne(m, shapes, schema, phase, rewriting, i));
  return plans;
}

// Physical tables that get a dual-write trigger, with the rules of all operations.
struct Triggers {
  std::set<std::string> tables;
  std::vector<TriggerRule> rules;
  std::set<std::string> backfill;
};
Triggers CollectTriggers(const std::vector<Plan>& plans) {
  Triggers t;
  for (const auto& p : plans) {
    for (const auto& r : p.rules) {
      t.tables.insert(r.table);
      t.rules.push_back(r);
    }
    t.backfill.insert(p.backfill.begin(), p.backfill.end());
  }
  return t;
}

std::vector<std::string> TriggerStatements(const std::string& schema, const OnlineMigration& m, const std::string& vs,
                                           const std::vector<SchemaModel>& shapes, const Triggers& trig) {
  std::vector<std::string> out;
  for (const auto& table : trig.tables) {
    const ModelTable* after = shapes.back().FindPhysical(table);
    if (!after) continue;  // dropped by the migration: nobody writes it through the new version
    auto sql = CreateTriggerSql(schema, m.name, vs, table, shapes.front().FindPhysical(table), *after, trig.rules);
    out.insert(out.end(), sql.begin(), sql.end());
  }
  return out;
}

BoundStatement Bound(std::string sql) { return BoundStatement{std::move(sql), {}, {}}; }

// The hint of the step whose statement failed (hints[i] belongs to statement i), after the
// server's message.
Result<void> WithHint(Result<void> r, const std::vector<std::string>& hints) {
  if (r) return r;
  Error e = r.error();
  if (e.statement_index >= 0 && e.statement_index < static_cast<int>(hints.size()) && !hints[e.statement_index].empty())
    e.message += "\nhint: " + hints[e.statement_index];
  return std::unexpected(std::move(e));
}

// complete: validations and concurrent drops first (each its own short transaction), then the
// contract transaction: triggers, the old version schema, the operations' steps, every rename.
struct ContractSteps {
  std::vector<Step> pre, concurrent, contract;
};
ContractSteps BuildContract(const OnlineMigration& m, const std::vector<SchemaModel>& shapes, const std::string& schema,
                            const MigrationRow& row, const std::optional<std::string>& old_version_schema) {
  ContractSteps c;
  auto plans = PlanEach(m, shapes, schema, Phase::kComplete, row.rewriting_defaults);
  for (const auto& p : plans) c.pre.insert(c.pre.end(), p.pre.begin(), p.pre.end());
  Triggers trig = CollectTriggers(PlanEach(m, shapes, schema, Phase::kStart, row.rewriting_defaults));
  for (const auto& t : trig.tables)
    for (auto& s : DropTriggerSql(schema, m.name, t)) c.contract.push_back({s});
  if (old_version_schema)
    for (auto& s : DropVersionSchemaSql(*old_version_schema)) c.contract.push_back({s});
  for (const auto& p : plans)
    for (const auto& s : p.steps) (s.concurrent ? c.concurrent : c.contract).push_back(s);
  // Every rename, last: columns to their new names, then tables. The version's views are
  // bound to the tables, not to names: they keep working. Names swapped within the migration
  // (b -> c while c -> b) go through a temporary name each, so no rename meets a name still taken.
  auto renames = [](const std::vector<std::pair<std::string, std::string>>& moves, const std::string& prefix,
                    const std::function<std::string(const std::string&, const std::string&)>& rename,
                    std::vector<Step>& out) {
    std::set<std::string> taken;
    for (const auto& [from, to] : moves) taken.insert(from);
    bool swapped = std::any_of(moves.begin(), moves.end(), [&](const auto& mv) { return taken.contains(mv.second); });
    for (const auto& [from, to] : moves)
      out.push_back({rename(from, swapped ? ShortName(prefix + to) : to)});
    if (swapped)
      for (const auto& [from, to] : moves) out.push_back({rename(ShortName(prefix + to), to)});
  };
  for (const auto& t : shapes.back().tables) {
    std::vector<std::pair<std::string, std::string>> moves;
    for (const auto& col : t.columns)
      if (col.physical != col.name) moves.emplace_back(col.physical, col.name);
    renames(moves, "_strata_mv_",
            [&](const std::string& from, const std::string& to) {
              return fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {}", Qualified(schema, t.physical), Ident(from),
                                 Ident(to));
            },
            c.contract);
    for (const auto& col : t.columns)
      if (col.view_default)
        c.contract.push_back({fmt::format("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}", Qualified(schema, t.physical),
                                          Ident(col.name), *col.view_default)});
  }
  std::vector<std::pair<std::string, std::string>> tables;
  for (const auto& t : shapes.back().tables)
    if (t.physical != t.name) tables.emplace_back(t.physical, t.name);
  renames(tables, "_strata_mv_",
          [&](const std::string& from, const std::string& to) {
            return fmt::format("ALTER TABLE {} RENAME TO {}", Qualified(schema, from), Ident(to));
          },
          c.contract);
  return c;
}

// rollback: first stop the dual writes and hide the new version, then undo the operations,
// newest first (only those whose start ran; a raw SQL one exactly when its up committed).
struct RollbackSteps {
  std::vector<Step> first, undo;
};
RollbackSteps BuildRollback(const OnlineMigration& m, const std::vector<SchemaModel>& shapes, const std::string& schema,
                            const MigrationRow& row) {
  RollbackSteps r;
  Triggers trig = CollectTriggers(PlanEach(m, shapes, schema, Phase::kStart, row.rewriting_defaults));
  for (const auto& t : trig.tables)
    for (auto& s : DropTriggerSql(schema, m.name, t)) r.first.push_back({s});
  for (auto& s : DropVersionSchemaSql(row.version_schema)) r.first.push_back({s});
  auto plans = PlanEach(m, shapes, schema, Phase::kRollback, row.rewriting_defaults);
  for (size_t k = plans.size(); k-- > 0;) {
    bool ran = static_cast<int>(k) < row.ops_done || (static_cast<int>(k) == row.ops_done && !m.operations[k]->unsafe());
    if (ran) r.undo.insert(r.undo.end(), plans[k].steps.begin(), plans[k].steps.end());
  }
  return r;
}

std::string StepsText(const std::vector<Step>& steps) {
  std::string out;
  for (const auto& s : steps) out += s.sql + ";" + (s.concurrent ? "  -- outside a transaction" : "") + "\n";
  return out;
}


std::string Json(const nlohmann::json& j) { return j.dump(); }

}  // namespace

OnlineRunner::OnlineRunner(Engine& engine, OnlineOptions options)
    : engine_(engine), opt_(std::move(options)), state_(engine, opt_.schema), history_(engine, opt_.service) {}

void OnlineRunner::Note(const std::string& line) const {
  if (opt_.on_note) opt_.on_note(line);
}

struct OnlineRunner::Locked {
  explicit Locked(OnlineRunner& r) : r(r) {}
  ~Locked() { r.Unlock(); }
  OnlineRunner& r;
};

Result<void> OnlineRunner::Lock() {
  if (engine_.kind() != EngineKind::kPostgres)
    return MakeError(ErrorKind::kInput, "online migrations need PostgreSQL (SQLite has no concurrent DDL to protect)");
  const std::string name = "strata:" + opt_.service;
  auto deadline = std::chrono::steady_clock::now() + opt_.lock_wait;
  bool said = false;
  while (true) {
    ASSIGN_OR_RETURN(bool got, engine_.TryLock(name));
    if (got) {
      locked_ = true;
      return {};
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return MakeError(ErrorKind::kLockTimeout,
                       fmt::format("another strata holds the lock of service '{}' (waited {} ms)", opt_.service,
                                   opt_.lock_wait.count()));
    if (!said) Note(fmt::format("waiting for the lock of service '{}' (another strata holds it)", opt_.service));
    said = true;
    std::this_thread::sleep_for(milliseconds(200));
  }
}

void OnlineRunner::Unlock() {
  if (locked_) (void)engine_.Unlock("strata:" + opt_.service);
  locked_ = false;
}

// See migrate/autovacuum.h: a blocking autovacuum would otherwise outlast every retry.
void OnlineRunner::CancelAutovacuum() {
  std::string line = DescribeCancelledAutovacuum(CancelBlockingAutovacuum(engine_, opt_.schema));
  if (!line.empty()) Note(line);
}

Result<void> OnlineRunner::RunTransactionWithRetries(std::vector<BoundStatement> statements) {
  if (statements.empty()) return {};
  Timeouts t{opt_.lock_timeout, milliseconds(0)};
  for (int attempt = 0;; ++attempt) {
    auto r = engine_.RunTransaction(statements, t, true);
    if (r) return {};
    if (r.error().kind != ErrorKind::kLockTimeout || attempt >= opt_.lock_retries) {
      Error e = r.error();
      if (e.kind == ErrorKind::kLockTimeout)
        e.message = fmt::format("could not take a lock within lock_timeout {} ms after {} attempts: {}",
                                opt_.lock_timeout.count(), attempt + 1, e.message);
      if (e.statement_index >= 0 && e.statement_index < static_cast<int>(statements.size()))
        e.message += "\nstatement: " + statements[e.statement_index].sql.substr(0, 400);
      return std::unexpected(e);
    }
    milliseconds d = RetryDelay(attempt, opt_.retry_delay);
    Note(fmt::format("lock not granted within {} ms; retry {} of {} in {} ms", opt_.lock_timeout.count(), attempt + 1,
                     opt_.lock_retries, d.count()));
    CancelAutovacuum();
    std::this_thread::sleep_for(d);
  }
}

Result<void> OnlineRunner::RunConcurrent(const Step& step) {
  Timeouts t{opt_.lock_timeout, milliseconds(0)};
  auto drop_invalid = [&]() -> Result<void> {
    if (step.index.empty()) return {};
    std::vector<Param> p = {Qualified(opt_.schema, step.index)};
    ASSIGN_OR_RETURN(Rows r, engine_.Query("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)", p));
    if (r.rows.empty() || r.rows[0][0] != "t") return {};
    Note(fmt::format("dropping the invalid index {} left by an earlier attempt", step.index));
    return engine_.RunAutocommit(
        Bound(fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}", Qualified(opt_.schema, step.index))), t);
  };
  TRY_VOID(drop_invalid());
  SessionSettings settings(engine_);  // the session's own value back on every way out
  if (opt_.index_workers >= 0 && !step.index.empty())
    TRY_VOID(settings.Set("max_parallel_maintenance_workers", std::to_string(opt_.index_workers)));
  for (int attempt = 0;; ++attempt) {
    auto r = engine_.RunAutocommit(Bound(step.sql), t);
    if (r) return {};
    (void)drop_invalid();
    if (r.error().kind != ErrorKind::kLockTimeout || attempt >= opt_.lock_retries) {
      Error e = r.error();
      e.message += "\nstatement: " + step.sql.substr(0, 400);
      return std::unexpected(e);
    }
    CancelAutovacuum();
    std::this_thread::sleep_for(RetryDelay(attempt, opt_.retry_delay));
  }
}

Result<void> OnlineRunner::RunSteps(const std::vector<Step>& steps, std::vector<BoundStatement> bookkeeping) {
  std::vector<BoundStatement> group;
  std::vector<std::string> hints;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    if (s.concurrent) {
      TRY_VOID(WithHint(RunTransactionWithRetries(std::move(group)), hints));
      group.clear();
      hints.clear();
      TRY_VOID(WithHint(RunConcurrent(s), {s.hint}));
      continue;
    }
    ASSIGN_OR_RETURN(auto split, engine_.Split(s.sql));
    for (auto& st : split) {
      group.push_back(Bound(std::move(st.sql)));
      hints.push_back(s.hint);
    }
  }
  for (auto& b : bookkeeping) group.push_back(std::move(b));
  return WithHint(RunTransactionWithRetries(std::move(group)), hints);
}

Result<StartResult> OnlineRunner::Start(const OnlineMigration& m) {
  TRY_VOID(Lock());
  Locked guard(*this);
  ASSIGN_OR_RETURN(auto active, state_.Active());
  // Queued behind another migration: wait (without holding the lock) until it is completed or
  // rolled back, up to active_wait.
  const auto deadline = std::chrono::steady_clock::now() + opt_.active_wait;
  bool said = false;
  while (active && active->name != m.name && std::chrono::steady_clock::now() < deadline) {
    if (!said) Note(fmt::format("'{}' is queued behind the active online migration '{}'; waiting", m.name, active->name));
    said = true;
    Unlock();
    std::this_thread::sleep_for(milliseconds(1000));
    TRY_VOID(Lock());
    ASSIGN_OR_RETURN(active, state_.Active());
  }
  if (active && active->name != m.name)
    return MakeError(ErrorKind::kCheck,
                     fmt::format("online migration '{}' is active on schema '{}' ({} since {} by {}): complete or roll "
                                 "it back before starting '{}'",
                                 active->name, opt_.schema, active->state, active->started_at, active->started_by, m.name));
  if (active) {
    if (active->checksum != m.checksum)
      return MakeErrorAt(ErrorKind::kInput, m.file, 0,
                         fmt::format("online migration '{}' is in flight but this file changed since it started: "
                                     "restore the file, or roll it back first",
                                     m.name));
    if (active->paused)
      return MakeError(ErrorKind::kCheck, fmt::format("online migration '{}' is paused: run `strata online resume`", m.name));
    Note(fmt::format("resuming online migration '{}' ({})", m.name, active->state));
    return Expand(m, *active, true);
  }
  ASSIGN_OR_RETURN(auto existing, state_.Find(m.name));
  if (existing && existing->state == "completed")
    return MakeError(ErrorKind::kCheck, fmt::format("online migration '{}' was already completed on schema '{}' ({})",
                                                    m.name, opt_.schema, existing->finished_at.value_or("")));
  ASSIGN_OR_RETURN(SchemaModel base, ReadSchemaModel(engine_, opt_.schema));
  if (base.tables.empty() && !m.operations.empty()) {
    ASSIGN_OR_RETURN(Rows r, engine_.Query("SELECT 1 FROM pg_namespace WHERE nspname = $1",
                                           std::vector<Param>{opt_.schema}));
    if (r.rows.empty()) return MakeError(ErrorKind::kInput, fmt::format("schema '{}' does not exist", opt_.schema));
  }
  ASSIGN_OR_RETURN(auto shapes, ApplyOperations(m, base));  // bad input stops here, before anything is written
  // So does a type or default PostgreSQL refuses; the answers (would the default rewrite the
  // table) go to the expand, which stores them with the steps. Operations after a raw sql one
  // are asked only when their turn comes: the SQL may create what they name.
  std::set<int> rewriting;
  for (size_t i = 0; i < AskedBeforeStart(m); ++i) {
    ASSIGN_OR_RETURN(bool rewrites, RewritesTable(m, shapes, i));
    if (rewrites) rewriting.insert(static_cast<int>(i));
  }
  TRY_VOID(state_.EnsureSchema());
  TRY_VOID(history_.EnsureSchema());
  MigrationRow row;
  row.schema = opt_.schema;
  row.name = m.name;
  row.service = opt_.service;
  row.source = m.source;
  row.checksum = m.checksum;
  row.model = base.ToJson();
  row.version_schema = VersionSchemaName(opt_.schema, m.name);
  ASSIGN_OR_RETURN(row.previous_schema, state_.CurrentVersionSchema());
  row.started_by = opt_.actor.user;
  row.state = "starting";
  nlohmann::json details = {{"schema", opt_.schema},
                            {"version_schema", row.version_schema},
                            {"checksum", m.checksum},
                            {"operations", m.operations.size()}};
  std::vector<BoundStatement> start_rows = {state_.Insert(row)};
  for (auto& a : history_.AuditStatements("online-start", m.name, opt_.actor, Json(details)))
    start_rows.push_back(std::move(a));
  TRY_VOID(RunTransactionWithRetries(std::move(start_rows)));
  row.rewriting_defaults = std::move(rewriting);
  return Expand(m, row, false);
}

Result<bool> OnlineRunner::RewritesTable(const OnlineMigration& m, const std::vector<SchemaModel>& shapes, size_t i) {
  const Operation& op = *m.operations[i];
  std::optional<DefaultProbe> probe = op.DefaultToProbe(shapes[i]);
  if (!probe) return false;
  auto rewrites = ProbeAddColumn(engine_, *probe);
  if (!rewrites) {
    // PostgreSQL's own error (unknown type or function, bad cast), at the operation: what the
    // ADD COLUMN would have failed with.
    Error e = rewrites.error();
    e.file = op.file;
    e.line = op.line;
    e.column = 0;
    e.message = fmt::format("{}: {}{}", op.Describe(), probe->expr ? "default " + *probe->expr + ": " : "", e.message);
    return std::unexpected(e);
  }
  if (*rewrites == AddColumnRewrite::kType)
    return MakeErrorAt(ErrorKind::kInput, op.file, op.line,
                       fmt::format("{}: PostgreSQL rewrites the whole table under ACCESS EXCLUSIVE to add a column of "
                                   "type {} (serial types and domains with constraints do): add it as the underlying "
                                   "type instead (integer/bigint with `default: nextval('…')`, the sequence created "
                                   "by an sql operation first; a domain's base type with a `check`)",
                                   op.Describe(), probe->type));
  return *rewrites == AddColumnRewrite::kDefault;
}

Result<StartResult> OnlineRunner::Expand(const OnlineMigration& m, const MigrationRow& stored, bool resumed) {
  TRY_VOID(state_.EnsureSchema());  // a migration an older strata started: the state's newer columns
  MigrationRow row = stored;
  SchemaModel base = SchemaModel::FromJson(row.model);
  ASSIGN_OR_RETURN(auto shapes, ApplyOperations(m, base));
  std::vector<BoundStatement> expand;
  std::vector<std::string> hints;  // of each statement of `expand`
  // The operations' transactional steps commit in the same transaction as the dual-write
  // triggers: a new column's NOT NULL check (added NOT VALID, so it applies to new writes) must
  // never exist without the trigger that fills the column, or every old-version write in
  // between fails the check. Concurrent index builds cannot run in a transaction: they run
  // after it, every time (they are idempotent, so a resume redoes any that did not finish).
  // Raw SQL operations keep the step-by-step order (strata cannot tell what they depend on).
  //
  // A default that would rewrite its table (RewritesTable) is asked about right before its
  // operation's start steps first run, after the raw SQL before it (which may create the
  // sequence or function it names), and the answer commits with those steps: a rerun, the
  // backfill, complete and rollback plan with the answer the steps ran with.
  bool together = true;
  for (const auto& op : m.operations) together = together && !op->unsafe();
  const size_t n = m.operations.size();
  // A fresh start asked the operations before the first raw sql one already (row has the answers).
  const size_t asked = resumed ? 0 : AskedBeforeStart(m);
  if (together)
    for (size_t i = std::max(static_cast<size_t>(row.ops_done), asked); i < n; ++i) {
      ASSIGN_OR_RETURN(bool rewrites, RewritesTable(m, shapes, i));
      if (rewrites) row.rewriting_defaults.insert(static_cast<int>(i));
    }
  auto plans = PlanEach(m, shapes, opt_.schema, Phase::kStart, row.rewriting_defaults);
  std::vector<Step> concurrent;
  for (size_t i = 0; i < n; ++i) {
    bool pending = i >= static_cast<size_t>(row.ops_done);
    if (pending) Note(fmt::format("start: {}", m.operations[i]->Describe()));
    if (!together) {
      if (!pending) continue;
      if (i >= asked) {
        ASSIGN_OR_RETURN(bool rewrites, RewritesTable(m, shapes, i));
        if (rewrites) row.rewriting_defaults.insert(static_cast<int>(i));
      }
      plans[i] = PlanOne(m, shapes, opt_.schema, Phase::kStart, row.rewriting_defaults, i);
      TRY_VOID(RunSteps(plans[i].steps, {state_.SetOpsDone(m.name, static_cast<int>(i) + 1),
                                         state_.SetRewritingDefaults(m.name, row.rewriting_defaults)}));
      continue;
    }
    for (const auto& s : plans[i].steps) {
      if (s.concurrent) {
        concurrent.push_back(s);
      } else if (pending) {
        ASSIGN_OR_RETURN(auto split, engine_.Split(s.sql));
        for (auto& st : split) {
          expand.push_back(Bound(std::move(st.sql)));
          hints.push_back(s.hint);
        }
      }
    }
  }
  if (together) {
    expand.push_back(state_.SetOpsDone(m.name, static_cast<int>(n)));
    expand.push_back(state_.SetRewritingDefaults(m.name, row.rewriting_defaults));
  }
  Triggers trig = CollectTriggers(plans);
  for (auto& s : CreateVersionSchemaSql(opt_.schema, row.version_schema, shapes.back())) expand.push_back(Bound(s));
  for (auto& s : TriggerStatements(opt_.schema, m, row.version_schema, shapes, trig)) expand.push_back(Bound(s));
  // With index builds still to run the state stays 'starting' (complete refuses) until they are done.
  if (concurrent.empty()) expand.push_back(state_.SetState(m.name, "started"));
  // A failure here commits nothing (the migration stays `starting`: start again or roll back).
  TRY_VOID(WithHint(RunTransactionWithRetries(std::move(expand)), hints));
  if (!concurrent.empty()) {
    for (const auto& s : concurrent) TRY_VOID(WithHint(RunConcurrent(s), {s.hint}));
    TRY_VOID(RunTransactionWithRetries({state_.SetState(m.name, "started")}));
  }

  StartResult res;
  res.name = m.name;
  res.version_schema = row.version_schema;
  res.previous_schema = row.previous_schema;
  res.resumed = resumed;
  if (opt_.create_roles) {
    std::vector<BoundStatement> roles;
    for (auto& s : CreateRoleSql(opt_.schema, row.version_schema)) roles.push_back(Bound(s));
    auto r = RunTransactionWithRetries(std::move(roles));
    if (!r) {
      std::string w = fmt::format("version role '{}' not created ({}); clients can still pick the version by search_path",
                                  row.version_schema, r.error().message);
      Note("warning: " + w);
      res.warnings.push_back(w);
    }
  }
  for (const auto& table : trig.backfill) {
    const ModelTable* t = shapes.back().FindPhysical(table);
    if (t) TRY_VOID(RegisterBackfill(engine_, opt_.schema, m.name, *t));
  }
  if (!opt_.backfill) return res;
  TRY_VOID(Backfill(m, row, res));
  return res;
}

Result<void> OnlineRunner::Backfill(const OnlineMigration& m, const MigrationRow& row, StartResult& res) {
  SchemaModel base = SchemaModel::FromJson(row.model);
  ASSIGN_OR_RETURN(auto shapes, ApplyOperations(m, base));
  Triggers trig = CollectTriggers(PlanEach(m, shapes, opt_.schema, Phase::kStart, row.rewriting_defaults));
  res.backfill_done = true;
  for (const auto& table : trig.backfill) {
    const ModelTable* t = shapes.back().FindPhysical(table);
    if (!t) continue;
    BackfillProgress last;
    BackfillOptions bo = opt_.backfill_options;
    auto outer = bo.on_progress;
    bo.on_progress = [&](const BackfillProgress& p) {
      last = p;
      if (outer) outer(p);
    };
    ASSIGN_OR_RETURN(BackfillOutcome out, RunBackfill(engine_, opt_.schema, m.name, *t, bo,
                                                              {shapes.front().FindPhysical(table), trig.rules}));
    res.backfill.push_back(last);
    if (out == BackfillOutcome::kPaused) {
      res.paused = true;
      res.backfill_done = false;
      Note(fmt::format("backfill of {} paused; `strata online resume` continues it", table));
      return {};
    }
  }
  return {};
}

Result<std::string> OnlineRunner::DescribeStart(const OnlineMigration& m) {
  if (engine_.kind() != EngineKind::kPostgres) return MakeError(ErrorKind::kInput, "online migrations need PostgreSQL");
  ASSIGN_OR_RETURN(SchemaModel base, ReadSchemaModel(engine_, opt_.schema));
  ASSIGN_OR_RETURN(auto shapes, ApplyOperations(m, base));
  // Each default asked about now; after raw SQL a default may name what that SQL creates, so
  // PostgreSQL cannot answer before it ran (start asks right before the operation).
  std::set<int> rewriting;
  std::vector<std::string> notes(m.operations.size());
  bool after_raw_sql = false;
  for (size_t i = 0; i < m.operations.size(); ++i) {
    auto rewrites = RewritesTable(m, shapes, i);
    if (!rewrites) {
      if (!after_raw_sql) return std::unexpected(rewrites.error());
      notes[i] = "-- (start asks PostgreSQL whether the default rewrites the table once the raw SQL before it ran: "
                 "if it does, the default is set after the ADD COLUMN and the backfill fills it in)\n";
    } else if (*rewrites) {
      rewriting.insert(static_cast<int>(i));
      notes[i] = "-- the default is volatile (PostgreSQL would rewrite the table in ADD COLUMN): set after it, the "
                 "existing rows filled by the backfill\n";
    }
    after_raw_sql = after_raw_sql || m.operations[i]->unsafe();
  }
  auto plans = PlanEach(m, shapes, opt_.schema, Phase::kStart, rewriting);
  std::string vs = VersionSchemaName(opt_.schema, m.name);
  std::string out = fmt::format("-- online migration {} on schema {}: version schema {}\n", m.name, opt_.schema, vs);
  for (size_t i = 0; i < plans.size(); ++i) {
    out += fmt::format("-- {}{}\n", m.operations[i]->Describe(), m.operations[i]->unsafe() ? "  [UNSAFE: raw SQL]" : "");
    out += notes[i];
    for (const auto& s : plans[i].steps)
      out += s.sql + ";" + (s.concurrent ? "  -- outside a transaction" : "") + "\n";
  }
  Triggers trig = CollectTriggers(plans);
  out += "-- version schema, views and dual-write triggers (one transaction)\n";
  for (auto& s : CreateVersionSchemaSql(opt_.schema, vs, shapes.back())) out += s + ";\n";
  for (auto& s : TriggerStatements(opt_.schema, m, vs, shapes, trig)) out += s + ";\n";
  for (const auto& t : trig.backfill) out += fmt::format("-- backfill {}.{} in batches\n", opt_.schema, t);
  return out;
}

Result<std::string> OnlineRunner::DescribeFinish(bool complete) {
  if (engine_.kind() != EngineKind::kPostgres) return MakeError(ErrorKind::kInput, "online migrations need PostgreSQL");
  ASSIGN_OR_RETURN(auto active, state_.Active());
  if (!active) return MakeError(ErrorKind::kCheck, fmt::format("no online migration is active on schema '{}'", opt_.schema));
  ASSIGN_OR_RETURN(OnlineMigration m, ParseOnlineMigration(active->source, "(stored " + active->name + ")", active->name));
  ASSIGN_OR_RETURN(auto shapes, ApplyOperations(m, SchemaModel::FromJson(active->model)));
  if (!complete) {
    RollbackSteps r = BuildRollback(m, shapes, opt_.schema, *active);
    return fmt::format("-- rollback of online migration {} on schema {}\n", m.name, opt_.schema) + StepsText(r.first) +
           "-- undo the operations, newest first (one transaction, concurrent steps outside it)\n" + StepsText(r.undo);
  }
  std::optional<std::string> old;
  if (active->previous_schema) {
    ASSIGN_OR_RETURN(Rows r, engine_.Query("SELECT 1 FROM pg_namespace WHERE nspname = $1",
                                           std::vector<Param>{*active->previous_schema}));
    if (!r.rows.empty()) old = active->previous_schema;
  }
  ContractSteps c = BuildContract(m, shapes, opt_.schema, *active, old);
  return fmt::format("-- complete of online migration {} on schema {}\n-- validations, each in its own transaction\n",
                     m.name, opt_.schema) +
         StepsText(c.pre) + StepsText(c.concurrent) + "-- the contract transaction (lock_timeout, retries)\n" +
         StepsText(c.contract);
}

Result<StatusResult> OnlineRunner::Status() {
  StatusResult s;
  ASSIGN_OR_RETURN(s.active, state_.Active());
  ASSIGN_OR_RETURN(s.migrations, state_.All());
  ASSIGN_OR_RETURN(s.current_version, state_.CurrentVersionSchema());
  if (s.active) {
    ASSIGN_OR_RETURN(s.backfill, state_.Backfills(s.active->name));
    std::string old = s.active->previous_schema.value_or(opt_.schema);
    ASSIGN_OR_RETURN(s.old_version_sessions, SessionsOnOldVersion(engine_, old, s.active->previous_schema.has_value()));
  }
  return s;
}

Result<CompleteResult> OnlineRunner::Complete(bool force) {
  TRY_VOID(Lock());
  Locked guard(*this);
  ASSIGN_OR_RETURN(auto active, state_.Active());
  if (!active) return MakeError(ErrorKind::kCheck, fmt::format("no online migration is active on schema '{}'", opt_.schema));
  if (active->state != "started")
    return MakeError(ErrorKind::kCheck, fmt::format("online migration '{}' did not finish starting: run `strata online "
                                                    "start` with its file again (it resumes), or roll it back",
                                                    active->name));
  ASSIGN_OR_RETURN(auto backfills, state_.Backfills(active->name));
  for (const auto& b : backfills)
    if (!b.done)
      return MakeError(ErrorKind::kCheck,
                       fmt::format("the backfill of {} is not finished ({} of about {} rows): run `strata online resume` "
                                   "(or start again) first",
                                   b.table, b.rows_done, b.rows_total));
  CompleteResult res;
  res.name = active->name;
  bool versioned = false;
  res.old_version = opt_.schema;
  if (active->previous_schema) {
    ASSIGN_OR_RETURN(Rows r, engine_.Query("SELECT 1 FROM pg_namespace WHERE nspname = $1",
                                           std::vector<Param>{*active->previous_schema}));
    if (!r.rows.empty()) {
      versioned = true;
      res.old_version = *active->previous_schema;
    }
  }
  ASSIGN_OR_RETURN(res.blockers, SessionsOnOldVersion(engine_, res.old_version, versioned));
  if (!res.blockers.empty() && !force) return res;
  res.forced = !res.blockers.empty();

  ASSIGN_OR_RETURN(OnlineMigration m, ParseOnlineMigration(active->source, "(stored " + active->name + ")", active->name));
  ASSIGN_OR_RETURN(auto shapes, ApplyOperations(m, SchemaModel::FromJson(active->model)));
  ContractSteps steps = BuildContract(m, shapes, opt_.schema, *active,
                                      versioned ? std::optional<std::string>(res.old_version) : std::nullopt);
  for (const auto& s : steps.pre) TRY_VOID(RunSteps({s}, {}));
  nlohmann::json details = {{"schema", opt_.schema}, {"old_version", res.old_version}};
  if (res.forced) {
    nlohmann::json who = nlohmann::json::array();
    for (const auto& b : res.blockers)
      who.push_back({{"pid", b.pid}, {"user", b.user}, {"application_name", b.application_name}, {"reason", b.reason}});
    details["forced_past"] = who;
  }
  std::vector<BoundStatement> bookkeeping = {state_.SetState(m.name, "completed"), state_.DeleteBackfills(m.name)};
  for (auto& a : history_.AuditStatements(res.forced ? "online-complete-forced" : "online-complete", m.name,
                                          opt_.actor, Json(details)))
    bookkeeping.push_back(std::move(a));
  for (const auto& s : steps.concurrent) TRY_VOID(RunConcurrent(s));
  TRY_VOID(RunSteps(steps.contract, std::move(bookkeeping)));
  if (versioned) (void)engine_.Exec(DropRoleSql(res.old_version));
  res.completed = true;
  return res;
}

Result<std::string> OnlineRunner::Rollback() {
  TRY_VOID(Lock());
  Locked guard(*this);
  ASSIGN_OR_RETURN(auto active, state_.Active());
  if (!active) return MakeError(ErrorKind::kCheck, fmt::format("no online migration is active on schema '{}'", opt_.schema));
  ASSIGN_OR_RETURN(OnlineMigration m, ParseOnlineMigration(active->source, "(stored " + active->name + ")", active->name));
  ASSIGN_OR_RETURN(auto shapes, ApplyOperations(m, SchemaModel::FromJson(active->model)));
  RollbackSteps steps = BuildRollback(m, shapes, opt_.schema, *active);
  TRY_VOID(RunSteps(steps.first, {}));
  nlohmann::json details = {{"schema", opt_.schema}, {"state_was", active->state}};
  std::vector<BoundStatement> bookkeeping = {state_.SetState(m.name, "rolled_back"), state_.DeleteBackfills(m.name)};
  for (auto& a : history_.AuditStatements("online-rollback", m.name, opt_.actor, Json(details)))
    bookkeeping.push_back(std::move(a));
  TRY_VOID(RunSteps(steps.undo, std::move(bookkeeping)));
  (void)engine_.Exec(DropRoleSql(active->version_schema));
  return m.name;
}

Result<std::string> OnlineRunner::Pause() {
  ASSIGN_OR_RETURN(auto active, state_.Active());
  if (!active) return MakeError(ErrorKind::kCheck, fmt::format("no online migration is active on schema '{}'", opt_.schema));
  TRY_VOID(state_.SetPaused(active->name, true));
  TRY_VOID(history_.EnsureSchema());
  TRY_VOID(history_.Audit("online-pause", active->name, opt_.actor, "{}"));
  return active->name;
}

Result<StartResult> OnlineRunner::Resume() {
  ASSIGN_OR_RETURN(auto active, state_.Active());
  if (!active) return MakeError(ErrorKind::kCheck, fmt::format("no online migration is active on schema '{}'", opt_.schema));
  TRY_VOID(state_.SetPaused(active->name, false));
  TRY_VOID(history_.EnsureSchema());
  TRY_VOID(history_.Audit("online-resume", active->name, opt_.actor, "{}"));
  // Continue the work here unless another strata (a running start) holds the lock: its loop
  // sees the flag cleared. A start that stopped paused left the lock free.
  StartResult res;
  res.name = active->name;
  res.version_schema = active->version_schema;
  res.previous_schema = active->previous_schema;
  res.resumed = true;
  ASSIGN_OR_RETURN(bool got, engine_.TryLock("strata:" + opt_.service));
  if (!got) {
    Note("another strata is running this migration; it continues the backfill");
    return res;
  }
  locked_ = true;
  Locked guard(*this);
  ASSIGN_OR_RETURN(OnlineMigration m, ParseOnlineMigration(active->source, "(stored " + active->name + ")", active->name));
  active->paused = false;
  if (active->state != "started") {
    Unlock();
    return Start(m);
  }
  TRY_VOID(Backfill(m, *active, res));
  return res;
}

}  // namespace strata::online
