#include "online/version_schema.h"

#include <fmt/format.h>

#include "online/sql_text.h"

namespace strata::online {

std::string VersionSchemaName(const std::string& schema, const std::string& migration) {
  return ShortName(schema + "_" + migration);
}

std::vector<std::string> CreateVersionSchemaSql(const std::string& schema, const std::string& vs,
                                                const SchemaModel& shape) {
  std::vector<std::string> out = {fmt::format("CREATE SCHEMA IF NOT EXISTS {}", Ident(vs))};
  for (const auto& t : shape.tables) {
    std::vector<std::string> cols;
    for (const auto& c : t.columns)
      cols.push_back(c.physical == c.name ? Ident(c.name) : fmt::format("{} AS {}", Ident(c.physical), Ident(c.name)));
    if (cols.empty()) continue;
    out.push_back(fmt::format("CREATE OR REPLACE VIEW {} AS SELECT {} FROM {}", Qualified(vs, t.name),
                              fmt::join(cols, ", "), Qualified(schema, t.physical)));
    for (const auto& c : t.columns)
      if (c.view_default)
        out.push_back(fmt::format("ALTER VIEW {} ALTER COLUMN {} SET DEFAULT {}", Qualified(vs, t.name), Ident(c.name),
                                  *c.view_default));
  }
  return out;
}

std::vector<std::string> CreateRoleSql(const std::string& schema, const std::string& vs) {
  return {
      fmt::format("DO $strata$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {0}) THEN "
                  "CREATE ROLE {1} NOLOGIN; END IF; "
                  "EXECUTE format('ALTER ROLE %I IN DATABASE %I SET search_path TO %I, %I', {0}, current_database(), "
                  "{0}, {2}); END $strata$",
                  Literal(vs), Ident(vs), Literal(schema)),
      fmt::format("GRANT USAGE ON SCHEMA {} TO {}", Ident(vs), Ident(vs)),
      fmt::format("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}", Ident(vs), Ident(vs)),
      fmt::format("GRANT USAGE ON SCHEMA {} TO {}", Ident(schema), Ident(vs)),
      fmt::format("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}", Ident(schema), Ident(vs)),
      fmt::format("GRANT USAGE ON SCHEMA strata_online TO {}", Ident(vs)),
  };
}

std::vector<std::string> DropVersionSchemaSql(const std::string& vs) {
  return {fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", Ident(vs)),
          fmt::format("DO $strata$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {0}) THEN "
                      "EXECUTE format('DROP OWNED BY %I', {0}); "
                      "EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET ALL', {0}, current_database()); "
                      "END IF; END $strata$",
                      Literal(vs))};
}

std::string DropRoleSql(const std::string& vs) { return fmt::format("DROP ROLE IF EXISTS {}", Ident(vs)); }

}  // namespace strata::online
