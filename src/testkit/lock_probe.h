// Which locks a migration's up takes and how long it holds each (PostgreSQL).
//
// Method: the up section runs once in a transaction that is rolled back (before the real
// apply); after each statement this session's granted relation locks are read from pg_locks.
// A lock first seen after statement k was taken during statement k and is held until the
// transaction ends, so its hold time is the time from the start of statement k to the end of
// the last statement. No-transaction migrations are not probed (they cannot run in one).
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/error.h"

namespace strata {

struct HeldLock {
  std::string relation;  // schema.name
  std::string mode;      // strongest mode held on it, e.g. AccessExclusiveLock
  long long held_ms = 0;
  int statement = 0;     // 1-based statement of the section that took it
};

// Runs `statements` in a rolled-back transaction; returns one entry per user relation (system
// catalogs and strata's schema left out), strongest mode first, then longest held. Fails when
// a statement fails (the caller lets the real apply report that).
Result<std::vector<HeldLock>> ProbeLocks(Engine& engine, const std::vector<SqlStatement>& statements);

// 1 (AccessShareLock) … 8 (AccessExclusiveLock); 0 for an unknown name.
int LockStrength(const std::string& mode);

}  // namespace strata
