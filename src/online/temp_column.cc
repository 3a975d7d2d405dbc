#include "online/temp_column.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "online/sql_text.h"

namespace strata::online {

std::map<std::string, std::string> PhysicalNames(const SchemaModel& model, const std::string& table) {
  std::map<std::string, std::string> out;
  if (const ModelTable* t = model.Find(table))
    for (const auto& c : t->columns) out[c.name] = c.physical;
  return out;
}

namespace {
const ModelTable& TableOf(const OpEnv& env, const TempColumnSpec& c) { return *env.after->Find(c.table); }
std::string UniqueIndexName(const TempColumnSpec& c) { return *c.unique; }

// `up` names columns as the operations before it left them (a rename_column earlier in the
// file); the trigger evaluates it over the old version's row: back to the old names.
std::string OldVersionNames(const OpEnv& env, const std::string& table, const std::string& expr) {
  const ModelTable* now = env.before->Find(table);
  if (!env.base || !now) return expr;
  const ModelTable* old = env.base->FindPhysical(now->physical);
  if (!old) return expr;
  auto names = NamesIn(*now, *old);
  return names.empty() ? expr : RewriteColumns(expr, names);
}

// Columns of `c`'s table that the migration copies: `copied` (original physical -> copy) by this
// operation and the ones before it, `later` by operations after it. An index or constraint
// naming several of them is carried once, by the last operation that copies one of them, with
// every copied column renamed (carried by an earlier one, the next DROP COLUMN would take it).
struct Copies {
  std::map<std::string, std::string> copied;
  std::set<std::string> later;
  bool CarriedLater(const std::vector<std::string>& columns) const {
    return std::any_of(columns.begin(), columns.end(), [&](const std::string& col) { return later.contains(col); });
  }
};
Copies CopiesOf(const OpEnv& env, const TempColumnSpec& c) {
  Copies out;
  const ModelTable& t = TableOf(env, c);
  for (const auto& col : t.columns)
    if (!col.replaces.empty()) out.copied[col.replaces] = col.physical;
  out.copied[c.replaces] = c.temp;
  if (const ModelTable* last = env.last ? env.last->FindPhysical(t.physical) : nullptr)
    for (const auto& col : last->columns)
      if (!col.replaces.empty() && !out.copied.contains(col.replaces)) out.later.insert(col.replaces);
  return out;
}
}  // namespace

TempColumnSpec ColumnCopy(const std::string& table, const ModelColumn& old, const ModelColumn& now,
                          const std::optional<std::string>& up, const std::optional<std::string>& down) {
  TempColumnSpec s;
  s.table = table;
  s.logical = now.name;
  s.temp = now.physical;
  s.type = now.type;
  s.not_null = now.not_null;
  s.default_expr = now.default_expr;
  s.up = up.value_or(Ident(old.name));
  s.down = down.value_or(Ident(now.name));
  s.replaces = old.physical;
  return s;
}

void CarryIndexes(const OpEnv& env, TempColumnSpec& c, const std::vector<std::string>& earlier) {
  if (c.replaces.empty()) return;
  const ModelTable& t = TableOf(env, c);
  const Copies copies = CopiesOf(env, c);
  for (const auto& [name, ix] : env.before->index_defs) {
    if (ix.table != t.physical) continue;
    if (std::find(ix.columns.begin(), ix.columns.end(), c.replaces) == ix.columns.end()) continue;
    if (copies.CarriedLater(ix.columns)) continue;
    if (std::any_of(earlier.begin(), earlier.end(), [&](const std::string& col) {
          return std::find(ix.columns.begin(), ix.columns.end(), col) != ix.columns.end();
        }))
      continue;
    size_t on = ix.definition.find(" ON ");
    if (on == std::string::npos) continue;
    bool pk = std::find(t.primary_key.begin(), t.primary_key.end(), c.replaces) != t.primary_key.end();
    if (pk) continue;
    CarriedIndex ci;
    ci.name = name;
    ci.temp = ShortName("_strata_new_" + name);
    ci.constraint = ix.constraint;
    // "CREATE [UNIQUE] INDEX name ON schema.table USING … (cols) …": the part after " ON " names
    // the table qualified (left alone) and the columns (the replaced one renamed to the copy).
    ci.create_sql = fmt::format("CREATE {}INDEX CONCURRENTLY IF NOT EXISTS {} ON {}", ix.unique ? "UNIQUE " : "",
                                Ident(ci.temp), RewriteColumns(ix.definition.substr(on + 4), copies.copied));
    c.indexes.push_back(std::move(ci));
  }
}

std::optional<std::string> RenamedConstraintDefinition(const ModelConstraint& k,
                                                       const std::map<std::string, std::string>& renames) {
  std::string def = k.definition;
  auto strip = [&](std::string_view suffix) {
    if (def.ends_with(suffix)) {
      def.resize(def.size() - suffix.size());
      return true;
    }
    return false;
  };
  strip(" NOT VALID");
  // A parenthesised column list starting at `open` (the replaced names only; nothing else in it).
  auto rewrite_list = [&](size_t open) -> bool {
    size_t close = def.find(')', open);
    if (open == std::string::npos || close == std::string::npos) return false;
    std::string list = RewriteColumns(std::string_view(def).substr(open, close + 1 - open), renames);
    def = def.substr(0, open) + list + def.substr(close + 1);
    return true;
  };
  if (k.type == "c") {
    // CHECK (expr) [NO INHERIT]: the expression only.
    if (!def.starts_with("CHECK ")) return std::nullopt;
    bool no_inherit = strip(" NO INHERIT");
    def = "CHECK " + RewriteColumns(std::string_view(def).substr(6), renames);
    if (no_inherit) def += " NO INHERIT";
    return def;
  }
  if (k.type == "f") {
    // FOREIGN KEY (cols) REFERENCES table(cols) [MATCH …] [ON UPDATE …] [ON DELETE … [(cols)]]
    // [DEFERRABLE …]: the local column lists, never the referenced ones (they may share names).
    if (!def.starts_with("FOREIGN KEY (")) return std::nullopt;
    size_t refs = def.find(" REFERENCES ");
    if (refs == std::string::npos || !rewrite_list(12)) return std::nullopt;
    refs = def.find(" REFERENCES ");
    for (std::string_view action : {" SET NULL (", " SET DEFAULT ("}) {
      size_t at = def.find(action, refs);
      if (at != std::string::npos && !rewrite_list(at + action.size() - 1)) return std::nullopt;
    }
    return def;
  }
  return std::nullopt;
}

void CarryConstraints(const OpEnv& env, TempColumnSpec& c, const std::vector<std::string>& earlier) {
  if (c.replaces.empty()) return;
  const ModelTable* t = env.before->Find(c.table);
  if (!t) return;
  const Copies copies = CopiesOf(env, c);
  const std::map<std::string, std::string>& renames = copies.copied;
  auto names = [](const ModelConstraint& k, const std::string& col) {
    return std::find(k.columns.begin(), k.columns.end(), col) != k.columns.end();
  };
  for (const auto& k : env.before->constraint_defs) {
    if (k.table != t->physical || !names(k, c.replaces)) continue;
    if (copies.CarriedLater(k.columns)) continue;
    // Dropped by an operation before this one in the file: nothing to carry.
    if (std::find(t->constraints.begin(), t->constraints.end(), k.name) == t->constraints.end()) continue;
    if (std::any_of(earlier.begin(), earlier.end(), [&](const std::string& col) { return names(k, col); })) continue;
    std::string temp = ShortName("_strata_new_" + k.name);
    if ((c.check && c.check->name == k.name) || (c.references && c.references->name == k.name)) {
      c.restated.push_back(k.name);
      continue;
    }
    // Not understood (never expected): an empty body makes start fail, naming it, rather than
    // letting complete drop it unseen.
    auto def = RenamedConstraintDefinition(k, renames);
    c.constraints.push_back({k.name, temp, def ? *def + " NOT VALID" : "", k.validated});
  }
}

namespace {
std::string CarriedName(const std::string& name) { return ShortName("_strata_new_" + name); }
// The name c.check / c.references has while in flight.
std::string InFlightName(const TempColumnSpec& c, const std::string& name) {
  return std::find(c.restated.begin(), c.restated.end(), name) != c.restated.end() ? CarriedName(name) : name;
}
std::string RenameConstraintIfExists(const std::string& schema, const std::string& table, const std::string& from,
                                     const std::string& to) {
  return fmt::format(
      "DO $strata$ BEGIN IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {}::regclass AND conname = {}) "
      "THEN ALTER TABLE {} RENAME CONSTRAINT {} TO {}; END IF; END $strata$",
      Literal(Qualified(schema, table)), Literal(from), Qualified(schema, table), Ident(from), Ident(to));
}
}  // namespace

void StartTempColumn(const OpEnv& env, const TempColumnSpec& c, Plan& plan) {
  const ModelTable& t = TableOf(env, c);
  const std::string table = Qualified(env.schema, t.physical);
  std::string add = fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}", table, Ident(c.temp), c.type);
  // A volatile default (gen_random_uuid(), nextval) in ADD COLUMN rewrites the table under an
  // ACCESS EXCLUSIVE lock. When the backfill fills the existing rows anyway (`up`), or when
  // PostgreSQL said this default would rewrite (then it is what the backfill fills in), the
  // default is set afterwards instead (catalog only) and serves new rows alone.
  const bool default_after = c.default_expr && (c.up || c.default_rewrites);
  if (c.default_expr && !default_after) add += " DEFAULT " + *c.default_expr;
  plan.steps.push_back({add});
  if (default_after)
    plan.steps.push_back({fmt::format("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}", table, Ident(c.temp),
                                      *c.default_expr)});
  if (c.not_null)
    plan.steps.push_back({AddConstraintIfMissing(env.schema, t.physical, NotNullCheckName(t.physical, c.logical),
                                                 fmt::format("CHECK ({} IS NOT NULL) NOT VALID", Ident(c.temp)))});
  if (c.check) {
    std::string expr = RewriteColumns(c.check->constraint, PhysicalNames(*env.after, c.table));
    plan.steps.push_back({AddConstraintIfMissing(env.schema, t.physical, InFlightName(c, c.check->name),
                                                 fmt::format("CHECK ({}) NOT VALID", expr))});
  }
  if (c.references) {
    const ModelTable* rt = env.after->Find(c.references->table);
    std::string ref_table = rt ? rt->physical : c.references->table;
    auto ref_cols = PhysicalNames(*env.after, c.references->table);
    std::string ref_col = ref_cols.contains(c.references->column) ? ref_cols[c.references->column] : c.references->column;
    plan.steps.push_back({AddConstraintIfMissing(
        env.schema, t.physical, InFlightName(c, c.references->name),
        ForeignKeyBody(env.schema, c.temp, ref_table, ref_col, c.references->on_delete) + " NOT VALID")});
  }
  if (c.unique)
    plan.steps.push_back({fmt::format("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} ({})",
                                      Ident(UniqueIndexName(c)), table, Ident(c.temp)),
                          true, UniqueIndexName(c)});
  if (c.comment)
    plan.steps.push_back({fmt::format("COMMENT ON COLUMN {}.{} IS {}", table, Ident(c.temp), Literal(*c.comment))});
  // The old column's check and foreign-key constraints, on the copy. The server refuses one that
  // cannot hold for the new type (CHECK (b > 0) on text): start fails there, nothing committed.
  for (const auto& k : c.constraints) {
    std::string hint = fmt::format(
        "constraint {} of {}.{} names the changed column and is carried to its copy, which the definition above "
        "does not fit: restate it in the operation under the same name (check: {{name: {}, constraint: …}} or "
        "references: {{name: {}, …}}), or drop it first with drop_constraint in an earlier, completed migration; "
        "then roll this start back (`strata online rollback`) and start again",
        Ident(k.name), t.physical, c.replaces, k.name, k.name);
    if (k.body.empty())
      plan.steps.push_back({fmt::format("DO $strata$ BEGIN RAISE EXCEPTION {}; END $strata$",
                                        Literal(fmt::format("strata cannot read the definition of constraint {} on {}",
                                                            Ident(k.name), table))),
                            false, "", hint});
    else
      plan.steps.push_back({AddConstraintIfMissing(env.schema, t.physical, k.temp, k.body), false, "", hint});
  }
  // A definition that no longer holds for the new type (a predicate `b > 0` after int -> text, an
  // expression that is not immutable any more) fails here, after the expand committed.
  for (const auto& ci : c.indexes)
    plan.steps.push_back(
        {ci.create_sql, true, ci.temp,
         fmt::format("index {} of {} names the changed column and is rebuilt on its copy, which its definition does "
                     "not fit: roll this start back (`strata online rollback`), drop the index first with drop_index "
                     "in an earlier, completed migration, and create it again afterwards with create_index",
                     Ident(ci.name), t.physical)});
  if (c.up) {
    plan.rules.push_back({t.physical, c.temp, OldVersionNames(env, c.table, *c.up), false});
    plan.backfill.insert(t.physical);
  } else if (default_after) {
    // The default, computed for each existing row where the column is still NULL (the backfill,
    // and the old version's updates before it): once per row, as a default is. Rows inserted
    // since the ADD COLUMN got it from the column's default and keep it.
    plan.rules.push_back({t.physical, c.temp, *c.default_expr, false, true});
    plan.backfill.insert(t.physical);
  }
  if (!c.replaces.empty())
    plan.rules.push_back({t.physical, c.replaces, c.down.value_or(Ident(c.logical)), true});
}

void CompleteTempColumn(const OpEnv& env, const TempColumnSpec& c, Plan& plan) {
  const ModelTable& t = TableOf(env, c);
  const std::string table = Qualified(env.schema, t.physical);
  if (c.not_null) plan.pre.push_back({ValidateConstraintIfNeeded(env.schema, t.physical, NotNullCheckName(t.physical, c.logical))});
  if (c.check)
    plan.pre.push_back({ValidateConstraintIfNeeded(env.schema, t.physical, InFlightName(c, c.check->name))});
  if (c.references)
    plan.pre.push_back({ValidateConstraintIfNeeded(env.schema, t.physical, InFlightName(c, c.references->name))});
  for (const auto& k : c.constraints)
    if (k.validate) plan.pre.push_back({ValidateConstraintIfNeeded(env.schema, t.physical, k.temp)});
  if (!c.replaces.empty())
    plan.steps.push_back({fmt::format("ALTER TABLE {} DROP COLUMN IF EXISTS {}", table, Ident(c.replaces))});
  // The old column's constraints went with it: their copies (and the restated ones) take their names.
  for (const auto& k : c.constraints)
    plan.steps.push_back({RenameConstraintIfExists(env.schema, t.physical, k.temp, k.name)});
  for (const auto& name : c.restated)
    plan.steps.push_back({RenameConstraintIfExists(env.schema, t.physical, CarriedName(name), name)});
  // The replaced column's indexes went with it: their copies take their names.
  for (const auto& ci : c.indexes) {
    if (!ci.constraint.empty())
      plan.steps.push_back({AddConstraintIfMissing(env.schema, t.physical, ci.constraint,
                                                   fmt::format("UNIQUE USING INDEX {}", Ident(ci.temp)))});
    else
      plan.steps.push_back({fmt::format("ALTER INDEX IF EXISTS {} RENAME TO {}", Qualified(env.schema, ci.temp),
                                        Ident(ci.name))});
  }
  if (c.not_null) {
    // A valid CHECK (col IS NOT NULL) lets SET NOT NULL skip its scan (PostgreSQL 12+).
    plan.steps.push_back({fmt::format("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL", table, Ident(c.temp))});
    plan.steps.push_back({fmt::format("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}", table,
                                      Ident(NotNullCheckName(t.physical, c.logical)))});
  }
  if (c.unique)
    plan.steps.push_back({AddConstraintIfMissing(env.schema, t.physical, *c.unique,
                                                 fmt::format("UNIQUE USING INDEX {}", Ident(UniqueIndexName(c))))});
}

void RollbackTempColumn(const OpEnv& env, const TempColumnSpec& c, Plan& plan) {
  const ModelTable* t = env.before->Find(c.table);
  std::string physical = t ? t->physical : TableOf(env, c).physical;
  if (c.unique)
    plan.steps.push_back({fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}", Qualified(env.schema, *c.unique)), true});
  plan.steps.push_back(
      {fmt::format("ALTER TABLE {} DROP COLUMN IF EXISTS {}", Qualified(env.schema, physical), Ident(c.temp))});
}

}  // namespace strata::online
