// `strata plan`: what `apply` would do to one target, before it runs. For each pending
// migration (in apply order) and each of its statements: the locks it takes, whether it
// rewrites or scans, the lint findings, the live size and row estimate of the tables it
// touches (read from the target's catalog, never by scanning), a risk rating with its reasons
// (rules in risk.h) and how long the strongest lock would be held. Read-only: the target is
// queried, never changed.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/graph.h"
#include "engine/engine.h"
#include "lint/finding.h"
#include "lint/linter.h"
#include "lint/statement_facts.h"
#include "migrate/migrator.h"
#include "plan/risk.h"
#include "util/error.h"

namespace strata::plan {

// What the catalog says about one relation a statement names.
struct TableInfo {
  std::string name;              // as the statement names it
  bool exists = false;           // to_regclass found it
  std::optional<int64_t> bytes;  // pg_total_relation_size (heap, indexes, TOAST)
  std::optional<int64_t> rows;   // pg_class.reltuples; nullopt when never analyzed
};

struct PlannedStatement {
  std::string text;   // the statement's first line (trimmed)
  std::string file;
  int line = 1;
  std::string kind;   // e.g. "ALTER TABLE ALTER COLUMN TYPE"; "" when unknown (SQLite, unparseable)
  std::vector<lint::TableLock> locks;
  bool rewrite = false;
  bool scan = false;
  bool transactional = true;  // may run inside a transaction block
  std::vector<RelationSize> relations;  // the locks with their sizes
  std::vector<lint::Finding> findings;
  StatementRisk risk;
};

struct PlannedMigration {
  std::string id;
  std::string name;
  std::string file;            // the up section's file
  bool no_transaction = false;
  bool reversible = true;
  std::string irreversible_reason;  // when not reversible ("" when it gives none)
  std::vector<PlannedStatement> statements;
  std::vector<lint::Finding> other_findings;  // findings outside any statement
  Risk risk = Risk::kLow;
  std::vector<std::string> reasons;  // most important first
  // The strongest lock on an existing table (else on any relation), and how long it would be
  // held: in a transactional migration from the statement that takes it to the commit (the
  // sum of the estimates of that statement and the ones after it); without a transaction, the
  // estimate of that statement alone.
  lint::LockMode lock = lint::LockMode::kNone;
  std::string lock_table;
  double lock_seconds = 0;
};

struct Plan {
  std::string service;
  std::string target;
  std::string url;         // redacted
  EngineKind engine = EngineKind::kPostgres;
  int server_version = 0;  // PostgreSQL server_version_num, SQLite library version
  int pg_major = 0;        // the PostgreSQL major the facts follow (0 for SQLite)
  std::vector<PlannedMigration> migrations;  // in apply order
  std::map<std::string, TableInfo> tables;   // every relation looked up, by name

  Risk MaxRisk() const;
};

struct PlanOptions {
  std::optional<std::string> to;  // only this migration and its ancestors
  // Lint settings (rule severities, disabled rules). pg_major is replaced by the target's.
  lint::LintOptions lint;
  DurationModel model;
};

// The pending migrations of the target in the order `apply` would run them: Status().pending,
// restricted to `to` and its ancestors when given. kInput for an unknown `to`.
Result<std::vector<const Migration*>> PendingForApply(const MigrationGraph& graph, Migrator& migrator,
                                                      const std::optional<std::string>& to);

// Plans `todo` (in order) against `engine`'s catalog. Each relation is looked up once.
// Errors: kDatabase when the catalog cannot be read.
Result<Plan> BuildPlan(const std::vector<const Migration*>& todo, Engine& engine, const PlanOptions& options);

// PendingForApply + BuildPlan; fills service and target.
Result<Plan> PlanTarget(const MigrationGraph& graph, Migrator& migrator, Engine& engine, const std::string& service,
                        const std::string& target, const PlanOptions& options);

// A migration the policy refuses: rated above `max_risk` and not approved.
struct PolicyVerdict {
  std::string migration_id;
  Risk risk = Risk::kLow;
  std::vector<std::string> reasons;
  bool approved = false;  // listed in `approved`: let through
};

// The migrations of `plan` rated above `max_risk`, in plan order, each marked approved when
// its id is in `approved`.
std::vector<PolicyVerdict> CheckPolicy(const Plan& plan, Risk max_risk, const std::set<std::string>& approved);

}  // namespace strata::plan
