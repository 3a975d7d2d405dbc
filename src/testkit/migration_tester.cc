#include "testkit/migration_tester.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "migrate/migrator.h"
#include "testkit/replay.h"
#include "testkit/synthetic_data.h"

namespace strata {
namespace {

using Clock = std::chrono::steady_clock;

long long Since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

std::string Message(const Error& e) {
  std::string where = e.Describe();
  if (!e.sqlstate.empty()) where += " (SQLSTATE " + e.sqlstate + ")";
  return where;
}

class Run {
 public:
  Run(const MigrationGraph& graph, const ExecSettings& settings, const DatabaseFactory& fresh,
      const std::string& service, const Actor& actor, const TesterOptions& options)
      : graph_(graph), settings_(settings), fresh_(fresh), service_(service), actor_(actor), options_(options) {
    report_.service = service;
  }

  Result<ServiceTestReport> Go() {
    const auto started = Clock::now();
    TRY_VOID(NewDatabase());
    report_.engine = engine_->kind() == EngineKind::kPostgres ? "postgres" : "sqlite";
    ASSIGN_OR_RETURN(nlohmann::json empty, SnapshotJson(*engine_));
    nlohmann::json previous = empty;
    bool chain_intact = true;
    bool all_reversible = true;
    const auto& ordered = graph_.ordered();
    for (size_t i = 0; i < ordered.size(); ++i) {
      const Migration& m = ordered[i];
      if (!m.Reversible()) all_reversible = false;
      if (options_.progress) options_.progress(fmt::format("[{}/{}] {}", i + 1, ordered.size(), m.Label()));
      auto after = TestOne(m, previous, i + 1 == ordered.size());
      if (!after) return std::unexpected(after.error());
      if (!*after) {
        chain_intact = false;
        break;
      }
      previous = std::move(**after);
    }
    if (!ordered.empty()) {
      if (!chain_intact) {
        Add("", "chain down", "skipped", "a migration's up failed");
      } else if (!all_reversible) {
        Add("", "chain down", "skipped", "the chain holds irreversible migrations");
      } else {
        TRY_VOID(Chain(empty, previous, static_cast<int>(ordered.size())));
      }
    }
    report_.duration_ms = Since(started);
    return std::move(report_);
  }

 private:
  Result<void> NewDatabase() {
    migrator_.reset();
    engine_.reset();
    ASSIGN_OR_RETURN(engine_, fresh_());
    migrator_ = std::make_unique<Migrator>(graph_, settings_, *engine_, service_, "sandbox", actor_);
    return {};
  }

  // After a round trip of `m` left the database wrong: a fresh one with the chain up to `m`.
  // Returns false (with a failed step) when that replay fails.
  Result<bool> Rebuild(const Migration& m, bool last) {
    TRY_VOID(NewDatabase());
    ApplyOptions opt;
    opt.to = m.id;
    opt.lock_wait = std::chrono::seconds(5);
    RunResult r = migrator_->Apply(opt);
    if (!r.ok()) {
      Add(m.Label(), "rebuild", "failed", "replaying the chain on a fresh database: " + Message(*r.error));
      return false;
    }
    for (const auto& seed : options_.seeds) {
      const bool due = seed.after_id.empty() ? last : graph_.IsAncestor(seed.after_id, m.id);
      if (due) (void)RunSeed(*engine_, seed);
    }
    Fill();
    report_.warnings.push_back(fmt::format("{}: its round trip left the database wrong; later migrations ran on a fresh "
                                           "database with the chain replayed up to it",
                                           m.Label()));
    return true;
  }

  void Add(const std::string& migration, std::string step, std::string status, std::string message = "",
           std::vector<ObjectChange> diffs = {}, long long ms = 0) {
    report_.steps.push_back({migration, std::move(step), std::move(status), std::move(message), std::move(diffs), ms});
  }

  // Compares the schema now with `expected`; records the step (failed on a difference).
  Result<void> Expect(const std::string& migration, const std::string& step, const nlohmann::json& expected,
                      bool* same = nullptr) {
    ASSIGN_OR_RETURN(nlohmann::json now, SnapshotJson(*engine_));
    SchemaDiff d = DiffSnapshots(expected, now);
    if (d.empty()) {
      Add(migration, step, "passed");
    } else {
      Add(migration, step, "failed",
          fmt::format("{} object(s) differ: {} added, {} removed, {} changed (a = expected, b = actual)",
                      d.changes.size(), d.Count("added"), d.Count("removed"), d.Count("changed")),
          d.changes);
    }
    if (same) *same = d.empty();
    return {};
  }

  RunResult Up(const Migration& m, long long* ms) {
    ApplyOptions opt;
    opt.to = m.id;
    opt.lock_wait = std::chrono::seconds(5);
    opt.on_event = [ms](const MigrationEvent& ev) {
      if (ev.kind == EventKind::kMigrationDone) *ms = ev.duration_ms;
    };
    return migrator_->Apply(opt);
  }

  RunResult Down(int steps) {
    RollbackOptions opt;
    opt.steps = steps;
    opt.lock_wait = std::chrono::seconds(5);
    return migrator_->Rollback(opt);
  }

  std::vector<PlanSummary> Explain() {
    std::vector<PlanSummary> out;
    for (const auto& q : options_.queries) out.push_back(ExplainQuery(*engine_, q));
    return out;
  }

  void Fill() {
    if (options_.rows <= 0) return;
    auto r = FillEmptyTables(*engine_, options_.rows);
    if (!r) {
      report_.warnings.push_back("synthetic data: " + r.error().message);
      return;
    }
    report_.synthetic_rows += r->rows;
    for (const auto& p : r->problems) {
      if (std::find(report_.warnings.begin(), report_.warnings.end(), "synthetic data: " + p) == report_.warnings.end()) {
        report_.warnings.push_back("synthetic data: " + p);
      }
    }
  }

  // Tests one migration on top of `before`. Returns the schema after its up, or nullopt when
  // its up failed (the chain cannot go on).
  Result<std::optional<nlohmann::json>> TestOne(const Migration& m, const nlohmann::json& before, bool last) {
    const std::string label = m.Label();
    MigrationFacts facts;
    facts.id = m.id;
    facts.label = label;
    std::vector<PlanSummary> plans_before = Explain();

    if (!options_.probe_locks) {
      facts.locks_note = "not asked";
    } else if (engine_->kind() != EngineKind::kPostgres) {
      facts.locks_note = "PostgreSQL only";
    } else if (m.no_transaction) {
      facts.locks_note = "no-transaction migration";
    } else if (auto stmts = engine_->Split(m.up.sql); stmts) {
      if (auto locks = ProbeLocks(*engine_, *stmts)) {
        facts.locks = std::move(*locks);
        facts.locks_measured = true;
      } else {
        facts.locks_note = "its up failed";
      }
    }

    RunResult up = Up(m, &facts.up_ms);
    if (!up.ok()) {
      Add(label, "up", "failed", Message(*up.error));
      report_.migrations.push_back(std::move(facts));
      return std::optional<nlohmann::json>();
    }
    Add(label, "up", "passed", "", {}, facts.up_ms);

    for (const auto& seed : options_.seeds) {
      if (!(seed.after_id == m.id || (seed.after_id.empty() && last))) continue;
      auto r = RunSeed(*engine_, seed);
      if (!r) {
        Add(label, "seed " + std::filesystem::path(seed.path).filename().string(), "failed", Message(r.error()));
      } else {
        report_.seed_rows += *r;
      }
    }
    Fill();

    if (m.verify.present) {
      const auto t = Clock::now();
      auto verified = Verify(m);
      if (!verified) Add(label, "verify", "failed", Message(verified.error()), {}, Since(t));
      else Add(label, "verify", "passed", "", {}, Since(t));
    }

    ASSIGN_OR_RETURN(nlohmann::json after, SnapshotJson(*engine_));
    if (!options_.queries.empty()) {
      std::vector<PlanSummary> plans_after = Explain();
      for (size_t q = 0; q < options_.queries.size(); ++q) {
        auto changes = ComparePlans(options_.queries[q].name, plans_before[q], plans_after[q]);
        facts.plan_changes.insert(facts.plan_changes.end(), changes.begin(), changes.end());
      }
    }
    report_.migrations.push_back(std::move(facts));

    if (!m.Reversible()) {
      Add(label, "down", "skipped", "irreversible: " + m.irreversible.value_or(""));
      return std::optional<nlohmann::json>(std::move(after));
    }
    const auto t = Clock::now();
    RunResult down = Down(1);
    if (!down.ok()) {
      Add(label, "down", "failed", Message(*down.error), {}, Since(t));
      return std::optional<nlohmann::json>(std::move(after));  // still applied: go on from there
    }
    Add(label, "down", "passed", "", {}, Since(t));
    bool same = true;
    TRY_VOID(Expect(label, "down restores schema", before, &same));
    if (!same) {
      Add(label, "up again", "skipped", "the down did not restore the schema");
      ASSIGN_OR_RETURN(bool rebuilt, Rebuild(m, last));
      if (!rebuilt) return std::optional<nlohmann::json>();
      return std::optional<nlohmann::json>(std::move(after));
    }
    long long again_ms = 0;
    RunResult again = Up(m, &again_ms);
    if (!again.ok()) {
      Add(label, "up again", "failed", Message(*again.error));
      ASSIGN_OR_RETURN(bool rebuilt, Rebuild(m, last));
      if (!rebuilt) return std::optional<nlohmann::json>();
      return std::optional<nlohmann::json>(std::move(after));
    }
    Add(label, "up again", "passed", "", {}, again_ms);
    Fill();
    TRY_VOID(Expect(label, "up again restores schema", after, &same));
    if (!same) {
      ASSIGN_OR_RETURN(bool rebuilt, Rebuild(m, last));
      if (!rebuilt) return std::optional<nlohmann::json>();
    }
    return std::optional<nlohmann::json>(std::move(after));
  }

  // Runs the verify section in a transaction that is rolled back.
  Result<void> Verify(const Migration& m) {
    auto stmts = engine_->Split(m.verify.sql);
    if (!stmts) {
      Error e = stmts.error();
      e.file = m.verify.file;
      return std::unexpected(e);
    }
    TRY_VOID(engine_->Exec("BEGIN"));
    for (const auto& st : *stmts) {
      if (auto r = engine_->Query(st.sql); !r) {
        (void)engine_->Exec("ROLLBACK");
        Error e = r.error();
        e.file = m.verify.file;
        e.line = m.verify.line + st.line - 1;
        return std::unexpected(e);
      }
    }
    (void)engine_->Exec("ROLLBACK");
    return {};
  }

  Result<void> Chain(const nlohmann::json& empty, const nlohmann::json& full, int count) {
    auto t = Clock::now();
    RunResult down = Down(count);
    if (!down.ok()) {
      Add("", "chain down", "failed", Message(*down.error), {}, Since(t));
      return {};
    }
    Add("", "chain down", "passed", "", {}, Since(t));
    TRY_VOID(Expect("", "chain down restores empty schema", empty));
    t = Clock::now();
    for (const auto& head : graph_.Heads()) {
      ApplyOptions opt;
      opt.to = head;
      opt.lock_wait = std::chrono::seconds(5);
      RunResult up = migrator_->Apply(opt);
      if (!up.ok()) {
        Add("", "chain up", "failed", Message(*up.error), {}, Since(t));
        return {};
      }
    }
    Add("", "chain up", "passed", "", {}, Since(t));
    TRY_VOID(Expect("", "chain up restores schema", full));
    return {};
  }

  const MigrationGraph& graph_;
  const ExecSettings& settings_;
  const DatabaseFactory& fresh_;
  const std::string service_;
  const Actor actor_;
  const TesterOptions& options_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Migrator> migrator_;
  ServiceTestReport report_;
};

}  // namespace

int ServiceTestReport::Failures() const {
  return static_cast<int>(std::count_if(steps.begin(), steps.end(), [](const TestStep& s) { return s.status == "failed"; }));
}

int ServiceTestReport::PlanChanges() const {
  int n = 0;
  for (const auto& m : migrations) n += static_cast<int>(m.plan_changes.size());
  return n;
}

Result<ServiceTestReport> TestMigrations(const MigrationGraph& graph, const ExecSettings& settings,
                                         const DatabaseFactory& fresh, const std::string& service, const Actor& actor,
                                         const TesterOptions& options) {
  Run run(graph, settings, fresh, service, actor, options);
  return run.Go();
}

}  // namespace strata
