#include "testkit/lock_probe.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace strata {

int LockStrength(const std::string& mode) {
  static const char* kModes[] = {"AccessShareLock",          "RowShareLock",  "RowExclusiveLock",
                                 "ShareUpdateExclusiveLock", "ShareLock",     "ShareRowExclusiveLock",
                                 "ExclusiveLock",            "AccessExclusiveLock"};
  for (int i = 0; i < 8; ++i) {
    if (mode == kModes[i]) return i + 1;
  }
  return 0;
}

Result<std::vector<HeldLock>> ProbeLocks(Engine& engine, const std::vector<SqlStatement>& statements) {
  using Clock = std::chrono::steady_clock;
  constexpr const char* kLocks =
      "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), l.mode FROM pg_locks l "
      "JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE l.pid = pg_backend_pid() AND l.granted AND l.locktype = 'relation' "
      "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'strata') AND n.nspname NOT LIKE 'pg\\_toast%'";
  struct Seen {
    std::string mode;
    Clock::time_point since;
    int statement;
  };
  std::map<std::string, Seen> seen;  // relation → strongest mode, when first taken
  TRY_VOID(engine.Exec("BEGIN"));
  Result<void> failed;
  for (size_t i = 0; i < statements.size() && failed; ++i) {
    const auto started = Clock::now();
    if (auto r = engine.Exec(statements[i].sql); !r) {
      failed = std::unexpected(r.error());
      break;
    }
    auto rows = engine.Query(kLocks);
    if (!rows) {
      failed = std::unexpected(rows.error());
      break;
    }
    for (const auto& row : rows->rows) {
      const std::string rel = row[0].value_or(""), mode = row[1].value_or("");
      auto it = seen.find(rel);
      if (it == seen.end()) {
        seen[rel] = {mode, started, static_cast<int>(i) + 1};
      } else if (LockStrength(mode) > LockStrength(it->second.mode)) {
        it->second = {mode, started, static_cast<int>(i) + 1};
      }
    }
  }
  const auto ended = Clock::now();
  (void)engine.Exec("ROLLBACK");
  if (!failed) return std::unexpected(failed.error());
  std::vector<HeldLock> out;
  for (const auto& [rel, s] : seen) {
    out.push_back({rel, s.mode, std::chrono::duration_cast<std::chrono::milliseconds>(ended - s.since).count(),
                   s.statement});
  }
  std::sort(out.begin(), out.end(), [](const HeldLock& a, const HeldLock& b) {
    if (LockStrength(a.mode) != LockStrength(b.mode)) return LockStrength(a.mode) > LockStrength(b.mode);
    if (a.held_ms != b.held_ms) return a.held_ms > b.held_ms;
    return a.relation < b.relation;
  });
  return out;
}

}  // namespace strata
