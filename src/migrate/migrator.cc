#include "migrate/migrator.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <random>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>
#include <unordered_map>

#include "migrate/autovacuum.h"
#include "util/hash.h"
#include "util/text.h"

namespace strata {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string LockName(const std::string& service) { return "strata:" + service; }

Error InputError(std::string message) {
  Error e;
  e.kind = ErrorKind::kInput;
  e.message = std::move(message);
  return e;
}

std::string DescribeHolder(const std::optional<LockHolder>& h) {
  if (!h) return "another session (no holder recorded yet)";
  return fmt::format("{}@{} (session {}, `strata {}`) since {}", h->actor, h->host, h->session, h->command, h->since);
}

// Marks (by index in graph order) every migration that is an ancestor of an applied one.
std::vector<char> AncestorsOfApplied(const MigrationGraph& graph, const std::vector<std::string>& applied) {
  std::vector<char> seen(graph.ordered().size(), 0);
  std::vector<int> stack;
  for (const std::string& id : applied) stack.push_back(graph.IndexOf(id));
  while (!stack.empty()) {
    int i = stack.back();
    stack.pop_back();
    if (i < 0) continue;
    for (const std::string& p : graph.ordered()[i].parents) {
      int pi = graph.IndexOf(p);
      if (pi >= 0 && !seen[pi]) {
        seen[pi] = 1;
        stack.push_back(pi);
      }
    }
  }
  return seen;
}

// SHA-256 of the first `n` statements, for resuming a no-transaction migration.
std::string PrefixChecksum(const std::vector<SqlStatement>& stmts, int n) {
  std::string material;
  for (int i = 0; i < n && i < static_cast<int>(stmts.size()); ++i) {
    for (char c : stmts[i].sql) {
      if (c != '\r') material.push_back(c);
    }
    material += "\n;\n";
  }
  return Sha256Hex(material);
}

// The index a CREATE INDEX CONCURRENTLY statement names, or "".
std::string ConcurrentIndexName(const std::string& sql) {
  static const std::regex kCic(R"(^\s*create\s+(unique\s+)?index\s+concurrently\s+(if\s+not\s+exists\s+)?("[^"]+"|[A-Za-z0-9_.]+))",
                               std::regex::icase);
  std::smatch m;
  if (!std::regex_search(sql, m, kCic)) return "";
  return m[3].str();
}

}  // namespace

milliseconds RetryDelay(int attempt, milliseconds base) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  double d = static_cast<double>(base.count()) * static_cast<double>(1LL << std::min(attempt, 16));
  d = std::min(d, 30000.0);
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return milliseconds(static_cast<long long>(d * jitter(rng)));
}

Migrator::Migrator(const MigrationGraph& graph, ExecSettings settings, Engine& engine, std::string service,
                   std::string target, Actor actor)
    : graph_(graph),
      settings_(std::move(settings)),
      engine_(engine),
      history_(engine, service),
      service_(std::move(service)),
      target_(std::move(target)),
      actor_(std::move(actor)) {}

ExecSettings Migrator::SettingsFor(const Migration& m) const { return settings_.MergedWith(m.settings); }

Timeouts Migrator::TimeoutsFor(const Migration& m) const {
  ExecSettings s = SettingsFor(m);
  return Timeouts{s.lock_timeout.value_or(milliseconds(0)), s.statement_timeout.value_or(milliseconds(0))};
}

Result<TargetSnapshot> Migrator::ReadSnapshot(Engine& engine, const std::string& service) {
  TargetSnapshot snap;
  HistoryStore history(engine, service);
  ASSIGN_OR_RETURN(snap.records, history.Load());
  ASSIGN_OR_RETURN(bool free, engine.IsLockFree(LockName(service)));
  if (!free) {
    ASSIGN_OR_RETURN(auto holder, history.ReadLockHolder());
    snap.lock_holder = holder ? *holder : LockHolder{"?", "?", "?", "?", "?"};
  }
  return snap;
}

Result<TargetStatus> Migrator::Status() {
  if (locked_) {  // this Migrator holds the lock (apply, rollback): the status is its own
    ASSIGN_OR_RETURN(std::vector<AppliedRecord> records, history_.Load());
    return StatusFrom(TargetSnapshot{std::move(records), std::nullopt});
  }
  ASSIGN_OR_RETURN(TargetSnapshot snap, ReadSnapshot(engine_, service_));
  return StatusFrom(std::move(snap));
}

TargetStatus Migrator::StatusFrom(TargetSnapshot snapshot) const {
  TargetStatus st;
  st.service = service_;
  st.target = target_;
  st.url = engine_.redacted_url();
  st.heads = graph_.Heads();
  st.records = std::move(snapshot.records);
  st.lock_holder = std::move(snapshot.lock_holder);
  std::unordered_map<std::string_view, const AppliedRecord*> by_id;
  by_id.reserve(st.records.size());
  for (const auto& r : st.records) by_id[r.id] = &r;
  st.applied.reserve(st.records.size());
  for (const Migration& m : graph_.ordered()) {
    auto it = by_id.find(m.id);
    if (it == by_id.end()) {
      st.pending.push_back(m.id);
      continue;
    }
    if (it->second->status == "partial") {
      st.partial.push_back(m.id);
      st.pending.push_back(m.id);
      // A partial migration may be fixed and rerun, as long as what already ran is unchanged.
      if (it->second->checksum != m.checksum) {
        auto stmts = engine_.Split(m.up.sql);
        if (!stmts || PrefixChecksum(*stmts, it->second->statements_done) != it->second->done_checksum) {
          st.edited.push_back(m.id);
        }
      }
    } else {
      st.applied.push_back(m.id);
      if (it->second->checksum != m.checksum) st.edited.push_back(m.id);
    }
  }
  for (const auto& r : st.records) {
    if (!graph_.Find(r.id)) st.unknown.push_back(r.id);
  }
  std::vector<char> before_applied = AncestorsOfApplied(graph_, st.applied);
  for (const std::string& id : st.pending) {
    if (before_applied[graph_.IndexOf(id)]) st.out_of_order.push_back(id);
  }
  return st;
}

Result<void> Migrator::AcquireLock(milliseconds wait, const EventSink& sink) {
  auto deadline = Clock::now() + wait;
  bool announced = false;
  std::optional<LockHolder> holder;
  for (;;) {
    ASSIGN_OR_RETURN(bool got, engine_.TryLock(LockName(service_)));
    if (got) {
      locked_ = true;
      TRY_VOID(history_.EnsureSchema());
      TRY_VOID(history_.SetLockHolder(LockHolder{actor_.user, actor_.host, "", engine_.SessionId(), actor_.command}));
      if (sink) sink(MigrationEvent{EventKind::kLockAcquired, target_});
      return {};
    }
    if (!announced) {
      auto h = history_.ReadLockHolder();
      if (h) holder = *h;
      if (sink) {
        MigrationEvent ev{EventKind::kWaitingForLock, target_};
        ev.detail = DescribeHolder(holder);
        sink(ev);
      }
      announced = true;
    }
    auto now = Clock::now();
    if (now >= deadline) {
      Error e;
      e.kind = ErrorKind::kLockTimeout;
      e.message = fmt::format("{}: the migration lock of service {} is held by {}; gave up after --lock-wait {}",
                              target_, service_, DescribeHolder(holder), FormatDuration(wait));
      return std::unexpected(e);
    }
    auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    std::this_thread::sleep_for(std::min(left, milliseconds(100)));
  }
}

void Migrator::ReleaseLock() {
  if (!locked_) return;
  (void)history_.ClearLockHolder(engine_.SessionId());
  (void)engine_.Unlock(LockName(service_));
  locked_ = false;
}

Result<std::vector<SqlStatement>> Migrator::SplitSection(const Migration& m, const Section& section) const {
  auto stmts = engine_.Split(section.sql);
  if (!stmts) {
    Error e = stmts.error();
    e.kind = ErrorKind::kInput;
    e.file = section.file;
    e.line = e.line > 0 ? section.line + e.line - 1 : section.line;
    e.migration_id = m.id;
    return std::unexpected(e);
  }
  return stmts;
}

std::string Migrator::DryRunText(const Migration& m, const Section& section, const std::vector<SqlStatement>& stmts,
                                 const std::vector<BoundStatement>& bookkeeping, bool durable, bool rollback) const {
  Timeouts t = TimeoutsFor(m);
  std::string out = fmt::format("-- {} {} ({}:{})\n", rollback ? "rollback" : "apply", m.Label(), section.file, section.line);
  if (m.no_transaction) {
    out += "-- no-transaction: each statement runs on its own; strata records progress in " + history_.Table("history") +
           " after each\n";
    for (const auto& s : stmts) out += engine_.DescribeAutocommit(BoundStatement{s.sql, {}}, t);
    out += fmt::format("-- then strata marks {} {} in {} and audits it\n", m.id, rollback ? "rolled back" : "applied",
                       history_.Table("history"));
    return out + "\n";
  }
  std::vector<BoundStatement> bound;
  for (const auto& s : stmts) bound.push_back(BoundStatement{s.sql, {}});
  bound.insert(bound.end(), bookkeeping.begin(), bookkeeping.end());
  return out + engine_.DescribeTransaction(bound, t, durable) + "\n";
}

bool Migrator::WaitToRetry(const Migration& m, const Error& e, int attempt, const EventSink& sink, int index,
                           int total) const {
  ExecSettings es = SettingsFor(m);
  if (e.kind != ErrorKind::kLockTimeout || attempt >= es.lock_retries.value_or(0)) return false;
  milliseconds delay = RetryDelay(attempt, es.retry_delay.value_or(milliseconds(500)));
  // A blocking autovacuum would outlast every retry (see migrate/autovacuum.h).
  const std::string cancelled = DescribeCancelledAutovacuum(CancelBlockingAutovacuum(engine_));
  if (sink) {
    MigrationEvent ev{EventKind::kRetry, target_, &m, index, total, attempt + 1, delay};
    ev.detail = e.message + (cancelled.empty() ? "" : "; " + cancelled);
    sink(ev);
  }
  std::this_thread::sleep_for(delay);
  return true;
}

Result<void> Migrator::RunTransactional(const Migration& m, const Section& section,
                                        const std::vector<SqlStatement>& stmts,
                                        std::vector<BoundStatement> bookkeeping, bool durable, const EventSink& sink,
                                        int index, int total) {
  std::vector<BoundStatement> bound;
  bound.reserve(stmts.size() + bookkeeping.size());
  for (const auto& s : stmts) bound.push_back(BoundStatement{s.sql, {}});
  for (auto& b : bookkeeping) bound.push_back(std::move(b));
  Timeouts timeouts = TimeoutsFor(m);
  for (int attempt = 0;; ++attempt) {
    auto r = engine_.RunTransaction(bound, timeouts, durable);
    if (r) return {};
    Error e = r.error();
    if (WaitToRetry(m, e, attempt, sink, index, total)) continue;
    int idx = e.statement_index;
    if (idx >= 0 && idx < static_cast<int>(stmts.size())) {
      e.file = section.file;
      e.line = section.line + stmts[idx].line - 1 + (e.line > 0 ? e.line - 1 : 0);
      e.column = 0;
    } else {
      e.file = section.file;
      e.line = 0;
    }
    e.migration_id = m.id;
    if (e.kind == ErrorKind::kLockTimeout) {
      e.message = fmt::format("{}: {} could not take its locks within lock_timeout {} after {} attempts: {}", target_,
                              m.Label(), FormatDuration(timeouts.lock_timeout), attempt + 1, e.message);
    } else {
      e.message = fmt::format("{}: {} failed and was rolled back: {}", target_, m.Label(), e.message);
    }
    return std::unexpected(e);
  }
}

Result<bool> Migrator::DropInvalidIndex(const std::string& index, const Timeouts& timeouts) {
  if (engine_.kind() != EngineKind::kPostgres) return false;
  Param p = index;
  ASSIGN_OR_RETURN(Rows invalid, engine_.Query("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)",
                                               std::span<const Param>(&p, 1)));
  if (invalid.size() != 1 || invalid.rows[0][0] != std::optional<std::string>("t")) return false;
  TRY_VOID(engine_.RunAutocommit(BoundStatement{"DROP INDEX CONCURRENTLY IF EXISTS " + index, {}}, timeouts));
  return true;
}

Result<void> Migrator::RunNoTransaction(const Migration& m, const std::vector<SqlStatement>& stmts,
                                        const AppliedRecord* partial, bool out_of_order, const EventSink& sink,
                                        int index, int total) {
  int start = 0;
  if (partial) {
    start = std::min(partial->statements_done, static_cast<int>(stmts.size()));
  } else {
    TRY_VOID(history_.BeginPartial(m, static_cast<int>(stmts.size()), actor_, out_of_order));
  }
  Timeouts timeouts = TimeoutsFor(m);
  auto t0 = Clock::now();
  for (int i = start; i < static_cast<int>(stmts.size()); ++i) {
    BoundStatement b{stmts[i].sql, {}};
    // An earlier run killed during this CREATE INDEX CONCURRENTLY leaves an INVALID index that
    // IF NOT EXISTS would keep: drop it so the index is built for real.
    if (std::string index = ConcurrentIndexName(b.sql); !index.empty()) TRY_VOID(DropInvalidIndex(index, timeouts));
    for (int attempt = 0;; ++attempt) {
      auto r = engine_.RunAutocommit(b, timeouts);
      if (r) break;
      Error e = r.error();
      if (WaitToRetry(m, e, attempt, sink, index, total)) continue;
      e.file = m.up.file;
      e.line = m.up.line + stmts[i].line - 1 + (e.line > 0 ? e.line - 1 : 0);
      e.migration_id = m.id;
      // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind that blocks the rerun
      // and slows every write: drop it, so the rerun starts clean.
      if (std::string index = ConcurrentIndexName(b.sql); !index.empty()) {
        auto dropped = DropInvalidIndex(index, timeouts);
        if (dropped && *dropped) {
          e.message += fmt::format(" (strata dropped the invalid index {} this statement left behind)", index);
        }
      }
      std::string done = i == 0 ? "no statement has run" : i == 1 ? "statement 1 is done and recorded"
                                                                  : fmt::format("statements 1–{} are done and recorded", i);
      e.message = fmt::format("{}: {} stopped at statement {} of {} (no-transaction; {}; a rerun resumes at statement "
                              "{}): {}",
                              target_, m.Label(), i + 1, stmts.size(), done, i + 1, e.message);
      return std::unexpected(e);
    }
    TRY_VOID(history_.RecordProgress(m.id, i + 1, PrefixChecksum(stmts, i + 1)));
    if (sink) {
      MigrationEvent ev{EventKind::kStatementDone, target_, &m, i + 1, static_cast<int>(stmts.size())};
      sink(ev);
    }
  }
  long long ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  return history_.FinishPartial(m, actor_, ms);
}

RunResult Migrator::Stop(RunResult& res, Error e, const char* audit_action) {
  ReleaseLock();
  if (e.kind == ErrorKind::kDatabase || e.kind == ErrorKind::kLockTimeout) {
    // The failure itself goes to the audit (best effort: the target may be gone).
    nlohmann::json details = {{"error", e.message}, {"sqlstate", e.sqlstate}, {"done", res.done}};
    (void)history_.Audit(audit_action, e.migration_id, actor_, details.dump());
  }
  res.error = std::move(e);
  return res;
}

void Migrator::Done(RunResult& res, const Migration& m, int index, int total, Clock::time_point started,
                    const EventSink& sink) const {
  res.done.push_back(m.id);
  if (!sink) return;
  MigrationEvent ev{EventKind::kMigrationDone, target_, &m, index, total};
  ev.duration_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
  sink(ev);
}

RunResult Migrator::Apply(const ApplyOptions& opt) {
  RunResult res;
  auto fail = [&](Error e) { return Stop(res, std::move(e), "apply-failed"); };
  std::vector<std::string> heads = graph_.Heads();
  if (opt.to) {
    if (!graph_.Find(*opt.to)) return fail(InputError(fmt::format("--to {}: no such migration in service {}", *opt.to, service_)));
  } else if (heads.size() > 1) {
    return fail(InputError(fmt::format(
        "service {} has {} heads ({}): branches were merged without a merge migration. Create one with "
        "`strata new --merge NAME` (its parents are the heads), or apply one branch with --to ID",
        service_, heads.size(), Join(heads, ", "))));
  }
  if (!opt.dry_run) {
    if (auto r = AcquireLock(opt.lock_wait, opt.on_event); !r) return fail(r.error());
  }
  auto st = Status();
  if (!st) return fail(st.error());
  // Refuse before anything runs.
  if (!st->edited.empty()) {
    const Migration* m = graph_.Find(st->edited.front());
    Error e = InputError(fmt::format(
        "{}: migration {} was edited after it was applied (checksum differs from the one recorded); restore the "
        "file, or record the edit on purpose with `strata repair` (audited). Edited: {}",
        target_, m->Label(), Join(st->edited, ", ")));
    e.file = m->up.file;
    e.migration_id = m->id;
    return fail(e);
  }
  std::set<std::string> wanted;
  if (opt.to) {
    for (auto& id : graph_.AncestorsOf(*opt.to)) wanted.insert(id);
  }
  std::vector<const Migration*> todo;
  for (const std::string& id : st->pending) {
    if (opt.to && !wanted.count(id)) continue;
    todo.push_back(graph_.Find(id));
  }
  std::set<std::string> ooo(st->out_of_order.begin(), st->out_of_order.end());
  for (const Migration* m : todo) {
    if (ooo.count(m->id) && !opt.allow_out_of_order) {
      Error e = InputError(fmt::format(
          "{}: migration {} is pending, but migrations after it are already applied (it was probably merged late "
          "from a branch). Applying it now runs it out of order. If it does not depend on the later ones, rerun "
          "with --allow-out-of-order (recorded in the audit); otherwise give it a new id after the applied ones.",
          target_, m->Label()));
      e.file = m->path;
      e.migration_id = m->id;
      return fail(e);
    }
  }
  std::map<std::string, const AppliedRecord*> records;
  for (const auto& r : st->records) records[r.id] = &r;
  // Split everything first: a script that cannot be split fails before the first statement.
  std::vector<std::vector<SqlStatement>> split;
  split.reserve(todo.size());
  for (const Migration* m : todo) {
    auto s = SplitSection(*m, m->up);
    if (!s) return fail(s.error());
    if (opt.dry_run) {
      bool last = m == todo.back();
      res.sql += DryRunText(*m, m->up, *s, history_.RecordAppliedStatements(*m, actor_, ooo.count(m->id) > 0, NowIso8601()),
                            last, false);
    }
    split.push_back(std::move(*s));
  }
  if (opt.dry_run) return res;
  const int total = static_cast<int>(todo.size());
  for (int i = 0; i < total; ++i) {
    const Migration& m = *todo[i];
    bool out_of_order = ooo.count(m.id) > 0;
    if (opt.on_event) opt.on_event(MigrationEvent{EventKind::kMigrationStart, target_, &m, i + 1, total});
    auto t0 = Clock::now();
    Result<void> r;
    if (out_of_order) {
      r = history_.Audit("force-out-of-order", m.id, actor_, R"({"flag":"--allow-out-of-order"})");
    }
    if (r) {
      if (m.no_transaction) {
        auto it = records.find(m.id);
        r = RunNoTransaction(m, split[i], it == records.end() ? nullptr : it->second, out_of_order, opt.on_event,
                             i + 1, total);
      } else {
        r = RunTransactional(m, m.up, split[i], history_.RecordAppliedStatements(m, actor_, out_of_order, NowIso8601()),
                             /*durable=*/i + 1 == total, opt.on_event, i + 1, total);
      }
    }
    if (!r) return fail(r.error());
    Done(res, m, i + 1, total, t0, opt.on_event);
  }
  ReleaseLock();
  return res;
}

RunResult Migrator::Rollback(const RollbackOptions& opt) {
  RunResult res;
  auto fail = [&](Error e) { return Stop(res, std::move(e), "rollback-failed"); };
  if (opt.to && !graph_.Find(*opt.to)) {
    return fail(InputError(fmt::format("--to {}: no such migration in service {}", *opt.to, service_)));
  }
  if (!opt.to && opt.steps < 1) return fail(InputError("--steps must be at least 1"));
  if (!opt.dry_run) {
    if (auto r = AcquireLock(opt.lock_wait, opt.on_event); !r) return fail(r.error());
  }
  auto st = Status();
  if (!st) return fail(st.error());
  if (!st->partial.empty()) {
    return fail(InputError(fmt::format("{}: {} is partially applied (no-transaction); finish it with `strata apply` "
                                       "before rolling back", target_, st->partial.front())));
  }
  std::vector<const Migration*> todo;
  if (opt.to) {
    std::vector<std::string> keep = graph_.AncestorsOf(*opt.to);
    std::set<std::string> keep_set(keep.begin(), keep.end());
    if (std::find(st->applied.begin(), st->applied.end(), *opt.to) == st->applied.end()) {
      return fail(InputError(fmt::format("--to {}: that migration is not applied on {}", *opt.to, target_)));
    }
    for (auto it = st->applied.rbegin(); it != st->applied.rend(); ++it) {
      if (!keep_set.count(*it)) todo.push_back(graph_.Find(*it));
    }
  } else {
    for (auto it = st->applied.rbegin(); it != st->applied.rend() && static_cast<int>(todo.size()) < opt.steps; ++it) {
      todo.push_back(graph_.Find(*it));
    }
  }
  std::set<std::string> edited(st->edited.begin(), st->edited.end());
  for (const Migration* m : todo) {
    if (!m->Reversible()) {
      Error e = InputError(fmt::format("{}: migration {} is irreversible ({}); nothing was rolled back. Roll back to a "
                                       "later migration with --to, or write a new migration that undoes it.",
                                       target_, m->Label(), *m->irreversible));
      e.file = m->path;
      e.migration_id = m->id;
      return fail(e);
    }
    if (edited.count(m->id)) {
      Error e = InputError(fmt::format("{}: migration {} was edited after it was applied, so its down may not match "
                                       "what ran; check it, then `strata repair` before rolling back",
                                       target_, m->Label()));
      e.file = m->path;
      e.migration_id = m->id;
      return fail(e);
    }
  }
  std::vector<std::vector<SqlStatement>> split;
  split.reserve(todo.size());
  for (const Migration* m : todo) {
    auto s = SplitSection(*m, m->down);
    if (!s) return fail(s.error());
    if (opt.dry_run) res.sql += DryRunText(*m, m->down, *s, history_.RecordRolledBackStatements(*m, actor_), true, true);
    split.push_back(std::move(*s));
  }
  if (opt.dry_run) return res;
  const int total = static_cast<int>(todo.size());
  for (int i = 0; i < total; ++i) {
    const Migration& m = *todo[i];
    if (opt.on_event) opt.on_event(MigrationEvent{EventKind::kMigrationStart, target_, &m, i + 1, total});
    auto t0 = Clock::now();
    Result<void> r;
    if (m.no_transaction) {
      const std::vector<SqlStatement>* stmts = &split[i];
      Timeouts timeouts = TimeoutsFor(m);
      for (size_t k = 0; k < stmts->size() && r; ++k) {
        for (int attempt = 0;; ++attempt) {
          r = engine_.RunAutocommit(BoundStatement{(*stmts)[k].sql, {}}, timeouts);
          if (r || !WaitToRetry(m, r.error(), attempt, opt.on_event, i + 1, total)) break;
        }
        if (!r) {
          Error e = r.error();
          e.file = m.down.file;
          e.line = m.down.line + (*stmts)[k].line - 1;
          e.migration_id = m.id;
          e.message = fmt::format("{}: down of {} stopped at statement {} of {}: {}", target_, m.Label(), k + 1,
                                  stmts->size(), e.message);
          r = std::unexpected(e);
        }
      }
      if (r) r = engine_.RunTransaction(history_.RecordRolledBackStatements(m, actor_), Timeouts{}, true);
    } else {
      r = RunTransactional(m, m.down, split[i], history_.RecordRolledBackStatements(m, actor_), /*durable=*/true,
                           opt.on_event, i + 1, total);
    }
    if (!r) return fail(r.error());
    Done(res, m, i + 1, total, t0, opt.on_event);
  }
  ReleaseLock();
  return res;
}

Result<std::vector<std::string>> Migrator::Repair(bool remove_unknown, milliseconds lock_wait) {
  TRY_VOID(AcquireLock(lock_wait, nullptr));
  std::vector<std::string> touched;
  auto body = [&]() -> Result<void> {
    ASSIGN_OR_RETURN(std::vector<AppliedRecord> records, history_.Load());
    for (const auto& r : records) {
      const Migration* m = graph_.Find(r.id);
      if (m && m->checksum != r.checksum) {
        TRY_VOID(history_.UpdateChecksum(r.id, m->checksum, actor_, r.checksum));
        touched.push_back(r.id);
      } else if (!m && remove_unknown) {
        TRY_VOID(history_.RemoveRecord(r.id, actor_));
        touched.push_back(r.id);
      }
    }
    return {};
  };
  auto r = body();
  ReleaseLock();
  if (!r) return std::unexpected(r.error());
  return touched;
}

}  // namespace strata
