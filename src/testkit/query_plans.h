// Registered queries of a service (by convention <migrations>/../queries.sql) and their plans:
// `strata test` EXPLAINs each one (FORMAT JSON, PostgreSQL) before and after every migration on
// the seeded sandbox and reports plan changes: a new sequential scan on a table, an index no
// longer used, a query that no longer plans.
//
// queries.sql holds statements without parameters; a comment line `-- name: NAME` before a
// statement names it (otherwise "line N").
#pragma once

#include <set>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/error.h"

namespace strata {

struct RegisteredQuery {
  std::string name;
  std::string sql;
};

struct PlanSummary {
  bool ok = false;             // false: the query did not plan (e.g. its table does not exist yet)
  std::string error;
  std::set<std::string> seq_scans;  // relations read by Seq Scan
  std::set<std::string> indexes;    // indexes used (Index Scan, Index Only Scan, Bitmap Index Scan)
  double total_cost = 0;
};

struct PlanChange {
  std::string query;
  std::string change;  // "new seq scan", "index no longer used", "no longer plans"
  std::string object;  // the table or index, or the error
};

// Reads `file` ("" or missing: no queries). kInput when a statement cannot be split.
Result<std::vector<RegisteredQuery>> LoadQueries(Engine& engine, const std::string& file);

PlanSummary ExplainQuery(Engine& engine, const RegisteredQuery& query);
// Summarises one EXPLAIN (FORMAT JSON) document.
PlanSummary SummarisePlan(std::string_view explain_json);

// Changes from `before` to `after` worth a reader's attention (nothing when `before` did not plan).
std::vector<PlanChange> ComparePlans(const std::string& query, const PlanSummary& before, const PlanSummary& after);

}  // namespace strata
