// The risk rules and the lock-duration model of `strata plan` (documented, with the same
// numbers, in docs/commands/plan.md). Pure functions of the statement facts, the lint findings
// and the table sizes read from the catalog: no database access here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/finding.h"
#include "lint/statement_facts.h"

namespace strata::plan {

enum class Risk { kLow = 0, kMedium = 1, kHigh = 2 };

// "low", "medium", "high".
std::string_view RiskName(Risk r);
// Parses "low" / "medium" / "high" (case-insensitive); nullopt otherwise.
std::optional<Risk> ParseRisk(std::string_view text);

// The duration model: how fast this class of machine rewrites and scans a table. Assumed, not
// measured per target: a plan is an estimate to compare migrations by, not a promise.
struct DurationModel {
  // A rewrite (ALTER COLUMN TYPE, volatile DEFAULT, VACUUM FULL, …) copies the heap and rebuilds
  // every index: ~100 MB/s of pg_total_relation_size on a commodity SSD server.
  double rewrite_bytes_per_second = 100e6;
  // A validating scan (SET NOT NULL, CHECK, FOREIGN KEY) or an index build reads the table:
  // ~500 MB/s sequential read.
  double scan_bytes_per_second = 500e6;
  // A metadata-only change (catalog update, no data touched): a few milliseconds.
  double metadata_seconds = 0.005;
  // A lock held longer than this is "long" (high risk when it blocks traffic).
  double long_lock_seconds = 1.0;
  // A table at least this big is "big" (high risk for a blocking rewrite or scan).
  int64_t big_table_bytes = int64_t{1} << 30;
  // A table below this is "tiny": even a rewrite takes milliseconds.
  int64_t tiny_table_bytes = int64_t{1} << 20;
};

// One relation a statement locks, with what the catalog says about it.
struct RelationSize {
  std::string name;                // as the statement names it
  lint::LockMode mode = lint::LockMode::kNone;
  std::string role;                // from lint::TableLock ("target", "referenced", "index", …)
  bool exists = false;             // found in the catalog (to_regclass)
  bool created_in_plan = false;    // created by an earlier statement of the plan
  std::optional<int64_t> bytes;    // pg_total_relation_size; nullopt when unknown
  std::optional<int64_t> rows;     // pg_class.reltuples; nullopt when never analyzed (-1)
};

struct StatementRisk {
  Risk risk = Risk::kLow;
  std::vector<std::string> reasons;     // why, most important first; never empty
  lint::LockMode lock = lint::LockMode::kNone;  // the strongest lock the statement takes
  std::string lock_table;               // the relation it is on ("" with kNone)
  double lock_seconds = 0;              // estimated time the statement holds it
  int64_t work_bytes = 0;               // bytes rewritten or scanned (0 when metadata only)
};

// Rates one statement. `relations` are the statement's locks with their sizes (the caller
// looks them up once per table). Rules, applied in order (the result is the highest):
//  1. Touches no existing relation (no lock, or only relations created earlier in the plan or
//     not in the catalog yet): low, metadata time.
//  2. Lock weaker than SHARE (CONCURRENTLY, VALIDATE, NOT VALID forms, plain DML): does not
//     block writes: low; the lock time is the scan time when it scans.
//  3. Rewrite or scan under SHARE or stronger: lock time = size / throughput (rewrite or
//     scan). High when longer than long_lock_seconds or the table is big, or for a rewrite
//     under ACCESS EXCLUSIVE of a table that is not tiny (it blocks reads and writes for a
//     time that grows with the table); low for a tiny table; otherwise medium.
//  4. Metadata only under SHARE or stronger (ADD COLUMN, RENAME, DROP …): low (a brief lock;
//     strata takes it under lock_timeout with retries).
//  5. An error-severity lint finding: at least medium. A statement PostgreSQL cannot parse:
//     at least medium (its effect is unknown).
StatementRisk AssessStatement(const lint::StatementFacts& facts, bool parsed,
                              const std::vector<RelationSize>& relations,
                              const std::vector<lint::Finding>& findings,
                              const DurationModel& model);

// Human-readable sizes and durations: "0 B", "8.0 kB", "12.3 MB", "4 ms", "2.5 s", "3.1 min".
std::string FormatBytes(int64_t bytes);
std::string FormatSeconds(double seconds);

}  // namespace strata::plan
