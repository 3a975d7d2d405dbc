#include "online/trigger_builder.h"

#include <fmt/format.h>

#include "online/sql_text.h"

namespace strata::online {

std::string TriggerName(const std::string& migration, const std::string& table) {
  return ShortName(fmt::format("_strata_{}_{}", migration, table));
}

namespace {
// Variables for the columns the expressions name (declaring every column would cost an
// assignment per column and row).
std::string Declarations(const std::string& schema, const ModelTable& shape, const std::vector<std::string>& exprs) {
  std::string out;
  for (const auto& c : shape.columns) {
    bool used = false;
    for (const auto& e : exprs) used = used || RewriteColumns(e, {{c.name, "_"}}) != e;
    if (!used) continue;
    out += fmt::format("      {} {}.{}%TYPE := NEW.{};\n", Ident(c.name), Qualified(schema, shape.physical),
                       Ident(c.physical), Ident(c.physical));
  }
  return out;
}

std::string Branch(const std::string& schema, const ModelTable* shape, const std::string& table,
                   const std::vector<TriggerRule>& rules, bool from_new) {
  std::string sets;
  std::vector<std::string> exprs;
  for (const auto& r : rules)
    if (r.table == table && r.from_new == from_new) {
      if (r.if_null)
        sets += fmt::format("      NEW.{0} := coalesce(NEW.{0}, ({1}));\n", Ident(r.target), r.expr);
      else
        sets += fmt::format("      NEW.{} := ({});\n", Ident(r.target), r.expr);
      exprs.push_back(r.expr);
    }
  if (sets.empty() || !shape) return "    NULL;\n";
  std::string decl = Declarations(schema, *shape, exprs);
  if (decl.empty()) return sets;
  return fmt::format("    DECLARE\n{}    BEGIN\n{}    END;\n", decl, sets);
}
}  // namespace

std::vector<std::string> CreateTriggerSql(const std::string& schema, const std::string& migration,
                                          const std::string& version_schema, const std::string& table,
                                          const ModelTable* old_shape, const ModelTable& new_shape,
                                          const std::vector<TriggerRule>& rules) {
  std::string name = TriggerName(migration, table);
  std::string fn = Qualified("strata_online", name);
  std::string body = fmt::format(
      "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $strata$\n"
      "#variable_conflict use_variable\n"
      "BEGIN\n"
      "  IF current_setting('strata.backfill', true) = 'on' THEN RETURN NEW; END IF;\n"
      "  IF strpos(',' || replace(replace(current_setting('search_path'), ' ', ''), '\"', '') || ',', {}) > 0\n"
      "     OR current_setting('strata.version', true) = {} THEN\n{}"
      "  ELSE\n{}"
      "  END IF;\n"
      "  RETURN NEW;\n"
      "END $strata$",
      fn, Literal("," + version_schema + ","), Literal(version_schema), Branch(schema, &new_shape, table, rules, true),
      Branch(schema, old_shape, table, rules, false));
  return {body, fmt::format("DROP TRIGGER IF EXISTS {} ON {}", Ident(name), Qualified(schema, table)),
          fmt::format("CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {}()", Ident(name),
                      Qualified(schema, table), fn)};
}

std::vector<std::string> DropTriggerSql(const std::string& schema, const std::string& migration,
                                        const std::string& table) {
  std::string name = TriggerName(migration, table);
  return {fmt::format(
              "DO $strata$ BEGIN IF to_regclass({}) IS NOT NULL THEN DROP TRIGGER IF EXISTS {} ON {}; END IF; END $strata$",
              Literal(Qualified(schema, table)), Ident(name), Qualified(schema, table)),
          fmt::format("DROP FUNCTION IF EXISTS {}()", Qualified("strata_online", name))};
}

}  // namespace strata::online
