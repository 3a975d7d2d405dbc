#include "plan/planner.h"

#include <algorithm>
#include <fmt/format.h>

#include "lint/statement_report.h"

namespace strata::plan {
namespace {

std::string FirstLine(std::string_view sql) {
  size_t nl = sql.find('\n');
  std::string_view line = sql.substr(0, nl);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.remove_suffix(1);
  std::string out(line);
  if (nl != std::string_view::npos) out += " …";
  return out;
}

std::string_view Bare(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

// "schema.table" -> "\"schema\".\"table\"" for to_regclass (names arrive case-folded).
std::string QuoteName(std::string_view name) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string_view part = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!out.empty()) out += '.';
    out += '"';
    for (char c : part) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += '"';
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

Result<TableInfo> LookUp(Engine& engine, const std::string& name) {
  TableInfo t;
  t.name = name;
  std::vector<Param> params{QuoteName(name)};
  ASSIGN_OR_RETURN(Rows rows, engine.Query("SELECT pg_total_relation_size(c.oid), c.reltuples::bigint "
                                           "FROM pg_class c WHERE c.oid = to_regclass($1)",
                                           params));
  if (rows.size() == 0) return t;
  t.exists = true;
  const auto& r = rows.rows[0];
  if (r[0]) t.bytes = std::stoll(*r[0]);
  if (r[1] && std::stoll(*r[1]) >= 0) t.rows = std::stoll(*r[1]);
  return t;
}

void FinishMigration(PlannedMigration& pm, bool postgres) {
  // The strongest lock: on existing tables first, then on anything.
  // `at`: in a transaction, the first statement taking that lock (it is held from there to
  // COMMIT); without one, the statement holding it longest.
  int at = -1;
  auto key = [&](const PlannedStatement& s) {
    bool existing = std::any_of(s.relations.begin(), s.relations.end(),
                                [](const RelationSize& r) { return r.exists && !r.created_in_plan; });
    return std::make_pair(existing, static_cast<int>(s.risk.lock));
  };
  for (int i = 0; i < static_cast<int>(pm.statements.size()); ++i) {
    if (at < 0 || key(pm.statements[i]) > key(pm.statements[at]) ||
        (pm.no_transaction && key(pm.statements[i]) == key(pm.statements[at]) &&
         pm.statements[i].risk.lock_seconds > pm.statements[at].risk.lock_seconds)) {
      at = i;
    }
  }
  std::vector<std::pair<Risk, std::string>> reasons;
  for (const PlannedStatement& s : pm.statements) {
    pm.risk = std::max(pm.risk, s.risk.risk);
    if (s.risk.risk != Risk::kLow) {
      reasons.emplace_back(s.risk.risk, fmt::format("line {}: {}", s.line, s.risk.reasons.front()));
    }
  }
  if (at >= 0) {
    pm.lock = pm.statements[at].risk.lock;
    pm.lock_table = pm.statements[at].risk.lock_table;
    if (pm.no_transaction || !postgres) {
      pm.lock_seconds = pm.statements[at].risk.lock_seconds;
    } else {
      for (size_t i = at; i < pm.statements.size(); ++i) pm.lock_seconds += pm.statements[i].risk.lock_seconds;
    }
    if (!postgres) {
      // SQLite: the write lock on the whole database is held for the whole migration.
      pm.lock_seconds = 0;
      for (const PlannedStatement& s : pm.statements) pm.lock_seconds += s.risk.lock_seconds;
    }
  }
  if (!pm.reversible) {
    pm.risk = std::max(pm.risk, Risk::kMedium);
    reasons.emplace_back(Risk::kMedium, pm.irreversible_reason.empty()
                                            ? "irreversible: no down section"
                                            : "irreversible: " + pm.irreversible_reason);
  }
  for (const lint::Finding& f : pm.other_findings) {
    if (f.severity == lint::Severity::kError) {
      pm.risk = std::max(pm.risk, Risk::kMedium);
      reasons.emplace_back(Risk::kMedium, fmt::format("lint error {}: {}", f.rule, f.message));
    }
  }
  std::stable_sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& [r, why] : reasons) pm.reasons.push_back(std::move(why));
  if (pm.reasons.empty()) {
    pm.reasons.push_back(pm.statements.empty() ? "no statements" : "every statement is low risk");
  }
}

}  // namespace

Risk Plan::MaxRisk() const {
  Risk r = Risk::kLow;
  for (const auto& m : migrations) r = std::max(r, m.risk);
  return r;
}

Result<std::vector<const Migration*>> PendingForApply(const MigrationGraph& graph, Migrator& migrator,
                                                      const std::optional<std::string>& to) {
  std::set<std::string> wanted;
  if (to) {
    if (graph.Find(*to) == nullptr) return MakeError(ErrorKind::kInput, fmt::format("--to {}: no such migration", *to));
    for (auto& id : graph.AncestorsOf(*to)) wanted.insert(id);
  }
  ASSIGN_OR_RETURN(TargetStatus st, migrator.Status());
  std::vector<const Migration*> todo;
  for (const std::string& id : st.pending) {
    if (to && !wanted.count(id)) continue;
    if (const Migration* m = graph.Find(id)) todo.push_back(m);
  }
  return todo;
}

Result<Plan> BuildPlan(const std::vector<const Migration*>& todo, Engine& engine, const PlanOptions& options) {
  Plan plan;
  plan.engine = engine.kind();
  plan.server_version = engine.server_version();
  plan.url = engine.redacted_url();
  const bool postgres = plan.engine == EngineKind::kPostgres;
  lint::LintOptions lint = options.lint;
  if (postgres) {
    plan.pg_major = std::clamp(plan.server_version / 10000, 10, 18);
    lint.pg_major = plan.pg_major;
    lint.runner_sets_lock_timeout = true;  // apply sets lock_timeout itself
  }
  std::set<std::string> created;  // tables created by earlier statements of the plan
  auto is_created = [&](const std::string& n) { return created.count(n) || created.count(std::string(Bare(n))); };
  for (const Migration* m : todo) {
    PlannedMigration pm;
    pm.id = m->id;
    pm.name = m->name;
    pm.file = m->up.file;
    pm.no_transaction = m->no_transaction;
    pm.reversible = m->Reversible();
    if (!pm.reversible) pm.irreversible_reason = m->irreversible.value_or("");
    if (postgres) {
      lint::ScriptReport report = lint::ReportStatements(m->up.sql, m->up.file, m->up.line, !m->no_transaction, lint);
      pm.other_findings = std::move(report.other_findings);
      for (lint::StatementReport& s : report.statements) {
        PlannedStatement ps;
        ps.text = FirstLine(s.text);
        ps.file = m->up.file;
        ps.line = s.line;
        ps.kind = s.facts.kind;
        ps.locks = s.facts.locks;
        ps.rewrite = s.facts.rewrite;
        ps.scan = s.facts.scan;
        ps.transactional = s.facts.transactional;
        ps.findings = std::move(s.findings);
        for (const lint::TableLock& l : s.facts.locks) {
          auto it = plan.tables.find(l.table);
          if (it == plan.tables.end()) {
            ASSIGN_OR_RETURN(TableInfo info, LookUp(engine, l.table));
            it = plan.tables.emplace(l.table, std::move(info)).first;
          }
          RelationSize r;
          r.name = l.table;
          r.mode = l.mode;
          r.role = l.role;
          r.exists = it->second.exists;
          r.created_in_plan = is_created(l.table);
          r.bytes = it->second.bytes;
          r.rows = it->second.rows;
          ps.relations.push_back(std::move(r));
        }
        ps.risk = AssessStatement(s.facts, s.parsed, ps.relations, ps.findings, options.model);
        for (const std::string& t : s.created_tables) {
          created.insert(t);
          created.insert(std::string(Bare(t)));
        }
        pm.statements.push_back(std::move(ps));
      }
    } else {
      // SQLite: no per-table locks; every write transaction locks the whole database.
      ASSIGN_OR_RETURN(std::vector<SqlStatement> stmts, engine.Split(m->up.sql));
      for (const SqlStatement& s : stmts) {
        PlannedStatement ps;
        ps.text = FirstLine(s.sql);
        ps.file = m->up.file;
        ps.line = m->up.line - 1 + s.line;
        ps.transactional = true;
        ps.risk.lock_seconds = options.model.metadata_seconds;
        ps.risk.reasons.push_back(
            "SQLite: the migration holds the database's write lock (every table) while it runs; no per-table lock "
            "facts");
        pm.statements.push_back(std::move(ps));
      }
    }
    FinishMigration(pm, postgres);
    plan.migrations.push_back(std::move(pm));
  }
  return plan;
}

Result<Plan> PlanTarget(const MigrationGraph& graph, Migrator& migrator, Engine& engine, const std::string& service,
                        const std::string& target, const PlanOptions& options) {
  ASSIGN_OR_RETURN(auto todo, PendingForApply(graph, migrator, options.to));
  ASSIGN_OR_RETURN(Plan plan, BuildPlan(todo, engine, options));
  plan.service = service;
  plan.target = target;
  return plan;
}

std::vector<PolicyVerdict> CheckPolicy(const Plan& plan, Risk max_risk, const std::set<std::string>& approved) {
  std::vector<PolicyVerdict> out;
  for (const PlannedMigration& m : plan.migrations) {
    if (m.risk <= max_risk) continue;
    out.push_back(PolicyVerdict{m.id, m.risk, m.reasons, approved.count(m.id) > 0});
  }
  return out;
}

}  // namespace strata::plan
