// After a lock timeout: cancel the autovacuum workers that may hold the lock.
//
// A waiting session makes PostgreSQL cancel an autovacuum worker that blocks it only once it has
// waited deadlock_timeout (1 s by default). strata's lock_timeout is shorter on purpose
// (application queries queue behind a waiting DDL), so without this every retry would time out
// until the vacuum ends — minutes on a large table. Anti-wraparound vacuums are left alone
// (PostgreSQL does not cancel them either); a cancelled autovacuum runs again at its next turn.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/error.h"

namespace strata {

struct CancelledAutovacuum {
  std::string pid;
  std::string table;  // schema-qualified
};

// Cancels the non-wraparound autovacuum workers of the current database that hold a lock on a
// table (of `schema`, or of any schema when empty). PostgreSQL only; others: nothing. kDatabase
// when the role may not signal them (PostgreSQL 15: superuser only).
Result<std::vector<CancelledAutovacuum>> CancelBlockingAutovacuum(Engine& engine, const std::string& schema = "");

// One line for a note: what was cancelled, or why nothing could be.
std::string DescribeCancelledAutovacuum(const Result<std::vector<CancelledAutovacuum>>& r);

}  // namespace strata
