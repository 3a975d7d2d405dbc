// What one PostgreSQL statement does to the tables it touches: the lock it takes on each,
// whether it rewrites or scans, whether it may run inside a transaction block, and where
// PostgreSQL versions differ. Derived from the measured table in docs (pg15-locks) and
// checked against a real server by lint_pg_locks_test.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/pg_parse.h"

namespace strata::lint {

// PostgreSQL's table lock modes, weakest first.
enum class LockMode {
  kNone = 0,
  kAccessShare,
  kRowShare,
  kRowExclusive,
  kShareUpdateExclusive,
  kShare,
  kShareRowExclusive,
  kExclusive,
  kAccessExclusive,
};

// "ACCESS EXCLUSIVE", "SHARE", … ("no lock" for kNone).
std::string_view LockModeName(LockMode mode);
// pg_locks.mode spelling: "AccessExclusiveLock", … ("" for kNone).
std::string_view LockModePgName(LockMode mode);
// What the lock does to application traffic, e.g. "blocks reads and writes".
std::string_view LockEffect(LockMode mode);

struct TableLock {
  std::string table;  // as written: "schema.table" or "table" (an index or type for some kinds)
  LockMode mode = LockMode::kNone;
  std::string role;   // "target", "referenced", "index", "partition", "parent", "domain users"
  int location = -1;  // byte offset of the name in the script, -1 if unknown
};

struct StatementFacts {
  std::string kind;        // e.g. "ALTER TABLE ADD COLUMN", "CREATE INDEX", "UPDATE"
  std::vector<TableLock> locks;
  bool rewrite = false;    // the table (or its indexes) is rewritten into new files
  bool scan = false;       // the whole table is read while the lock is held
  bool transactional = true;  // false: "cannot run inside a transaction block"
  std::vector<std::string> version_notes;  // where other PostgreSQL versions differ

  // The strongest lock of the statement and the relation it is on (kNone if none).
  LockMode StrongestLock() const;
  const TableLock* StrongestTarget() const;
};

// Computes the facts of one parsed statement for PostgreSQL `pg_major` (e.g. 15).
StatementFacts ComputeFacts(const pg::Node& stmt, int pg_major);

}  // namespace strata::lint
