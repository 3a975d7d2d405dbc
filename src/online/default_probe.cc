#include "online/default_probe.h"

#include <fmt/format.h>

namespace strata::online {

namespace {
constexpr const char* kTable = "pg_temp._strata_default_probe";

Result<std::string> FileNode(Engine& engine) {
  ASSIGN_OR_RETURN(Rows r, engine.Query(fmt::format("SELECT pg_relation_filenode('{}')::text", kTable)));
  if (r.rows.empty() || !r.rows[0][0])
    return MakeError(ErrorKind::kInternal, "the default probe's table has no relfilenode");
  return *r.rows[0][0];
}

Result<AddColumnRewrite> Probe(Engine& engine, const DefaultProbe& p) {
  auto created = engine.Query("CREATE TEMP TABLE _strata_default_probe ()");
  if (!created && created.error().sqlstate == "42501") {
    // No TEMPORARY privilege on the database: PostgreSQL cannot be asked. A default is then
    // taken as one that would rewrite (set after ADD COLUMN and backfilled: never a rewrite,
    // at worst a backfill a constant did not need); the type is not checked.
    return p.expr ? AddColumnRewrite::kDefault : AddColumnRewrite::kNone;
  }
  if (!created) return std::unexpected(created.error());
  ASSIGN_OR_RETURN(std::string empty, FileNode(engine));
  // One statement each (Query): the type and the default are the migration's text.
  TRY_VOID(engine.Query(fmt::format("ALTER TABLE {} ADD COLUMN plain {}", kTable, p.type)));
  ASSIGN_OR_RETURN(std::string plain, FileNode(engine));
  if (plain != empty) return AddColumnRewrite::kType;
  if (!p.expr) return AddColumnRewrite::kNone;
  TRY_VOID(engine.Query(fmt::format("ALTER TABLE {} ADD COLUMN probe {} DEFAULT {}", kTable, p.type, *p.expr)));
  ASSIGN_OR_RETURN(std::string with_default, FileNode(engine));
  return with_default != plain ? AddColumnRewrite::kDefault : AddColumnRewrite::kNone;
}
}  // namespace

Result<AddColumnRewrite> ProbeAddColumn(Engine& engine, const DefaultProbe& probe) {
  TRY_VOID(engine.Exec("BEGIN"));
  Result<AddColumnRewrite> out = Probe(engine, probe);
  Result<void> rolled_back = engine.Exec("ROLLBACK");
  if (!out) return out;
  if (!rolled_back) return std::unexpected(rolled_back.error());
  return out;
}

}  // namespace strata::online
