#include "online/contract_guard.h"

namespace strata::online {

Result<std::vector<OldVersionSession>> SessionsOnOldVersion(Engine& engine, const std::string& old_version,
                                                            bool is_version_schema) {
  std::vector<Param> p = {old_version, is_version_schema ? "true" : "false"};
  ASSIGN_OR_RETURN(Rows r, engine.Query(R"(
    SELECT * FROM (
      SELECT a.pid::text, coalesce(a.usename::text, ''), coalesce(a.application_name, ''),
             coalesce(host(a.client_addr), 'local'), coalesce(a.state, ''),
             CASE WHEN a.usename = $1 THEN 'logged in as the old version''s role'
                  WHEN a.application_name ~ ('(^|[^a-z0-9_])strata_version=' || $1 || '($|[^a-z0-9_])')
                    THEN 'application_name tags the old version'
                  WHEN $2::boolean AND EXISTS (
                         SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                          JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE l.pid = a.pid AND n.nspname = $1) THEN 'holds locks on the old version''s views'
                  WHEN $2::boolean AND position(($1 || '.') IN a.query) > 0 THEN 'its query names the old version schema'
             END AS reason
        FROM pg_stat_activity a
       WHERE a.pid <> pg_backend_pid() AND a.datname = current_database() AND a.backend_type = 'client backend') s
     WHERE reason IS NOT NULL ORDER BY 1)", p));
  std::vector<OldVersionSession> out;
  for (const auto& row : r.rows)
    out.push_back(OldVersionSession{std::stoll(*row[0]), *row[1], *row[2], *row[3], *row[4], *row[5]});
  return out;
}

}  // namespace strata::online
