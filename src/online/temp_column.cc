#include "online/temp_column.h"

#include <fmt/format.h>

#include <algorithm>

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
  const ModelTable* old = nullptr;
  for (const auto& t : env.base->tables)
    if (t.physical == now->physical) old = &t;
  if (!old) return expr;
  std::map<std::string, std::string> names;
  for (const auto& c : now->columns)
    for (const auto& o : old->columns)
      if (o.physical == c.physical && o.name != c.name) names[c.name] = o.name;
  return names.empty() ? expr : RewriteColumns(expr, names);
}
}  // namespace

void CarryIndexes(const OpEnv& env, TempColumnSpec& c) {
  if (c.replaces.empty()) return;
  const ModelTable& t = TableOf(env, c);
  for (const auto& [name, ix] : env.before->index_defs) {
    if (ix.table != t.physical) continue;
    if (std::find(ix.columns.begin(), ix.columns.end(), c.replaces) == ix.columns.end()) continue;
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
                                Ident(ci.temp),
                                RewriteColumns(ix.definition.substr(on + 4), {{c.replaces, c.temp}}));
    c.indexes.push_back(std::move(ci));
  }
}

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
    plan.steps.push_back(
        {AddConstraintIfMissing(env.schema, t.physical, c.check->name, fmt::format("CHECK ({}) NOT VALID", expr))});
  }
  if (c.references) {
    const ModelTable* rt = env.after->Find(c.references->table);
    std::string ref_table = rt ? rt->physical : c.references->table;
    auto ref_cols = PhysicalNames(*env.after, c.references->table);
    std::string ref_col = ref_cols.contains(c.references->column) ? ref_cols[c.references->column] : c.references->column;
    plan.steps.push_back({AddConstraintIfMissing(
        env.schema, t.physical, c.references->name,
        ForeignKeyBody(env.schema, c.temp, ref_table, ref_col, c.references->on_delete) + " NOT VALID")});
  }
  if (c.unique)
    plan.steps.push_back({fmt::format("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} ({})",
                                      Ident(UniqueIndexName(c)), table, Ident(c.temp)),
                          true, UniqueIndexName(c)});
  if (c.comment)
    plan.steps.push_back({fmt::format("COMMENT ON COLUMN {}.{} IS {}", table, Ident(c.temp), Literal(*c.comment))});
  for (const auto& ci : c.indexes) plan.steps.push_back({ci.create_sql, true, ci.temp});
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
  if (c.check) plan.pre.push_back({ValidateConstraintIfNeeded(env.schema, t.physical, c.check->name)});
  if (c.references) plan.pre.push_back({ValidateConstraintIfNeeded(env.schema, t.physical, c.references->name)});
  if (!c.replaces.empty())
    plan.steps.push_back({fmt::format("ALTER TABLE {} DROP COLUMN IF EXISTS {}", table, Ident(c.replaces))});
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
