#include "online/operations/drop_constraint.h"

#include <fmt/format.h>

#include <algorithm>

#include "online/sql_text.h"

namespace strata::online {

namespace {
// The physical columns constraint `name` of table `physical` names: a check or foreign key
// (constraint_defs), else a unique constraint (the index backing it). Empty when unknown.
std::vector<std::string> ConstraintColumns(const SchemaModel& model, const std::string& physical,
                                           const std::string& name) {
  for (const auto& k : model.constraint_defs)
    if (k.table == physical && k.name == name) return k.columns;
  for (const auto& [index, ix] : model.index_defs)
    if (ix.table == physical && (ix.constraint == name || index == name)) return ix.columns;
  return {};
}
}  // namespace

Result<std::unique_ptr<Operation>> DropConstraint::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "drop_constraint");
  TRY_VOID(f.Check());
  auto op = std::make_unique<DropConstraint>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->table, f.Str("table"));
  ASSIGN_OR_RETURN(op->name, f.Str("name"));
  ASSIGN_OR_RETURN(op->column, f.OptStr("column"));
  ASSIGN_OR_RETURN(op->up, f.OptStr("up"));
  ASSIGN_OR_RETURN(op->down, f.OptStr("down"));
  TRY_VOID(f.Done());
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> DropConstraint::Apply(SchemaModel& model) const {
  ModelTable* t = model.Find(table);
  if (!t) return Invalid(fmt::format("drop_constraint: table '{}' does not exist", table));
  auto it = std::find(t->constraints.begin(), t->constraints.end(), name);
  if (it == t->constraints.end())
    return Invalid(fmt::format("drop_constraint: table '{}' has no constraint '{}'", table, name));
  if (Copies()) {
    std::vector<std::string> cols = ConstraintColumns(model, t->physical, name);
    if (cols.size() != 1)
      return Invalid(fmt::format("drop_constraint: up/down copy the one column a constraint names, and '{}' names {} "
                                 "(drop it without up/down: it is dropped at complete)",
                                 name, cols.empty() ? "no column strata can copy" : "several columns"));
    ModelColumn* c = nullptr;
    for (auto& x : t->columns)
      if (x.physical == cols[0]) c = &x;
    if (!c) return Invalid(fmt::format("drop_constraint: the column of '{}' is not in the table", name));
    if (column && *column != c->name)
      return Invalid(fmt::format("drop_constraint: constraint '{}' is on column '{}', not '{}'", name, c->name, *column));
    if (IsTempColumn(c->physical))
      return Invalid(fmt::format("drop_constraint: column '{}.{}' is already added or changed by this migration", table,
                                 c->name));
    if (std::find(t->primary_key.begin(), t->primary_key.end(), c->physical) != t->primary_key.end())
      return Invalid(fmt::format("drop_constraint: '{}.{}' is part of the primary key; a key column cannot be copied "
                                 "online (drop the constraint without up/down)",
                                 table, c->name));
    c->replaces = c->physical;
    c->physical = TempColumn(c->name);
  }
  t->constraints.erase(it);
  return {};
}

TempColumnSpec DropConstraint::Spec(const OpEnv& env) const {
  const ModelTable* before = env.before->Find(table);
  const std::string old_physical = ConstraintColumns(*env.before, before->physical, name).front();
  const ModelColumn* old = nullptr;
  for (const auto& x : before->columns)
    if (x.physical == old_physical) old = &x;
  const ModelColumn* now = env.after->Find(table)->Find(old->name);
  TempColumnSpec s = ColumnCopy(table, *old, *now, up, down);
  CarryIndexes(env, s);
  CarryConstraints(env, s);
  // Everything of the column but the constraint being dropped.
  std::erase_if(s.constraints, [&](const CarriedConstraint& k) { return k.name == name; });
  std::erase_if(s.indexes, [&](const CarriedIndex& ix) { return ix.name == name || ix.constraint == name; });
  return s;
}

void DropConstraint::Start(const OpEnv& env, Plan& plan) const {
  if (Copies()) StartTempColumn(env, Spec(env), plan);
}

void DropConstraint::Complete(const OpEnv& env, Plan& plan) const {
  if (Copies()) {
    CompleteTempColumn(env, Spec(env), plan);  // the old column goes, the constraint with it
    return;
  }
  plan.steps.push_back({fmt::format("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                                    Qualified(env.schema, env.before->Find(table)->physical), Ident(name))});
}

void DropConstraint::Rollback(const OpEnv& env, Plan& plan) const {
  if (Copies()) RollbackTempColumn(env, Spec(env), plan);
}

std::string DropConstraint::Describe() const { return fmt::format("drop_constraint {}.{}", table, name); }

}  // namespace strata::online
