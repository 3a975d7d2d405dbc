#include "migrate/autovacuum.h"

#include <fmt/format.h>

namespace strata {

Result<std::vector<CancelledAutovacuum>> CancelBlockingAutovacuum(Engine& engine, const std::string& schema) {
  if (engine.kind() != EngineKind::kPostgres) return std::vector<CancelledAutovacuum>{};
  std::vector<Param> p = {schema};
  ASSIGN_OR_RETURN(Rows rows,
                   engine.Query("SELECT DISTINCT a.pid::text, format('%I.%I', n.nspname, c.relname), "
                                "pg_cancel_backend(a.pid) FROM pg_stat_activity a "
                                "JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'relation' AND l.granted "
                                "JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE a.backend_type = 'autovacuum worker' AND a.datname = current_database() "
                                "AND ($1 = '' OR n.nspname = $1) AND c.relkind IN ('r', 'p', 'm') "
                                "AND a.query NOT LIKE '%wraparound%'",
                                p));
  std::vector<CancelledAutovacuum> out;
  for (const auto& r : rows.rows) out.push_back({r[0].value_or("?"), r[1].value_or("?")});
  return out;
}

std::string DescribeCancelledAutovacuum(const Result<std::vector<CancelledAutovacuum>>& r) {
  if (!r) return "an autovacuum worker may hold the lock; strata may not cancel it: " + r.error().message;
  std::string out;
  for (const auto& c : *r)
    out += fmt::format("{}cancelled the autovacuum of {} (pid {}) that held its lock; it runs again later",
                       out.empty() ? "" : "; ", c.table, c.pid);
  return out;
}

}  // namespace strata
