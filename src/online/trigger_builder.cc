#include "online/trigger_builder.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "online/sql_text.h"

namespace strata::online {

std::string TriggerName(const std::string& migration, const std::string& table) {
  return ShortName(fmt::format("_strata_{}_{}", migration, table));
}

namespace {
// Whether `expr` names column `name` (as a plpgsql variable would be read).
bool Reads(const std::string& expr, const std::string& name) { return RewriteColumns(expr, {{name, "_"}}) != expr; }

// Variables for the columns the expressions name (declaring every column would cost an
// assignment per column and row).
std::string Declarations(const std::string& schema, const ModelTable& shape, const std::vector<std::string>& exprs) {
  std::string out;
  for (const auto& c : shape.columns) {
    bool used = false;
    for (const auto& e : exprs) used = used || Reads(e, c.name);
    if (!used) continue;
    out += fmt::format("      {} {}.{}%TYPE := NEW.{};\n", Ident(c.name), Qualified(schema, shape.physical),
                       Ident(c.physical), Ident(c.physical));
  }
  return out;
}

// When a rule is evaluated: on INSERT; on UPDATE only while its target is still NULL (a row the
// backfill has not reached) or when a column its expression reads changed. A volatile
// expression (`gen_random_uuid()`) so keeps the value it gave the row instead of drawing a new
// one on every write, and unchanged inputs would give the same value anyway.
std::string Guard(const ModelTable& shape, const TriggerRule& r) {
  // A filled-in default: once per row, where the writer left it NULL (like a default).
  if (r.if_null) return fmt::format("NEW.{} IS NULL", Ident(r.target));
  std::vector<std::string> now, before;
  for (const auto& c : shape.columns)
    if (Reads(r.expr, c.name)) {
      now.push_back("NEW." + Ident(c.physical));
      before.push_back("OLD." + Ident(c.physical));
    }
  std::string guard = fmt::format("TG_OP = 'INSERT' OR NEW.{} IS NULL", Ident(r.target));
  if (!now.empty())
    // Compared as text: json, xml, point … have no `=` (IS DISTINCT FROM on them fails).
    guard += fmt::format(" OR ROW({})::text IS DISTINCT FROM ROW({})::text", fmt::join(now, ", "),
                         fmt::join(before, ", "));
  return guard;
}

// The rules of `table` in one direction; of two rules for one column only the last counts
// (each expression reads the row as written, not an earlier assignment), as in the backfill's
// SET list.
std::vector<const TriggerRule*> RulesOf(const std::string& table, const std::vector<TriggerRule>& rules,
                                        bool from_new) {
  std::vector<const TriggerRule*> mine;
  for (const auto& r : rules)
    if (r.table == table && r.from_new == from_new) {
      std::erase_if(mine, [&](const TriggerRule* m) { return m->target == r.target; });
      mine.push_back(&r);
    }
  return mine;
}

// `sets` in a block declaring the variables `shape`'s columns named by `exprs`.
std::string Block(const std::string& schema, const ModelTable& shape, const std::string& sets,
                  const std::vector<std::string>& exprs) {
  std::string decl = Declarations(schema, shape, exprs);
  if (decl.empty()) return sets;
  return fmt::format("    DECLARE\n{}    BEGIN\n{}    END;\n", decl, sets);
}

std::string Branch(const std::string& schema, const ModelTable* shape, const std::string& table,
                   const std::vector<TriggerRule>& rules, bool from_new) {
  if (!shape) return "    NULL;\n";
  std::vector<const TriggerRule*> mine = RulesOf(table, rules, from_new);
  if (mine.empty()) return "    NULL;\n";
  std::string sets;
  std::vector<std::string> exprs;
  for (const TriggerRule* r : mine) {
    sets += fmt::format("      IF {} THEN NEW.{} := ({}); END IF;\n", Guard(*shape, *r), Ident(r->target), r->expr);
    exprs.push_back(r->expr);
  }
  return Block(schema, *shape, sets, exprs);
}

// After the new version's rules: a row the backfill has not reached yet, updated by the new
// version, still has NULL in the new columns it did not write. They are filled from the old
// columns (which the `down` rules just set) as the backfill would, so the row is whole at once
// (a NOT NULL copy's CHECK would refuse it otherwise). A NULL the new version writes over a value
// stays (OLD has a value).
std::string FillNotYetBackfilled(const std::string& schema, const ModelTable* old_shape, const std::string& table,
                                 const std::vector<TriggerRule>& rules) {
  if (!old_shape) return "";
  std::string sets;
  std::vector<std::string> exprs;
  for (const TriggerRule* r : RulesOf(table, rules, false)) {
    sets += fmt::format("      IF TG_OP = 'UPDATE' AND OLD.{0} IS NULL AND NEW.{0} IS NULL THEN NEW.{0} := ({1}); END IF;\n",
                        Ident(r->target), r->expr);
    exprs.push_back(r->expr);
  }
  if (sets.empty()) return "";
  return Block(schema, *old_shape, sets, exprs);
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
      fn, Literal("," + version_schema + ","), Literal(version_schema),
      Branch(schema, &new_shape, table, rules, true) + FillNotYetBackfilled(schema, old_shape, table, rules),
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
