#include "online/operations/drop_column.h"

#include <fmt/format.h>

#include <algorithm>

#include "online/sql_text.h"

namespace strata::online {

Result<std::unique_ptr<Operation>> DropColumn::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "drop_column");
  TRY_VOID(f.Check());
  auto op = std::make_unique<DropColumn>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->table, f.Str("table"));
  ASSIGN_OR_RETURN(op->column, f.Str("column"));
  ASSIGN_OR_RETURN(op->down, f.OptStr("down"));
  TRY_VOID(f.Done());
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> DropColumn::Apply(SchemaModel& model) const {
  ModelTable* t = model.Find(table);
  if (!t) return Invalid(fmt::format("drop_column: table '{}' does not exist", table));
  const ModelColumn* c = t->Find(column);
  if (!c) return Invalid(fmt::format("drop_column: column '{}.{}' does not exist", table, column));
  if (IsTempColumn(c->physical))
    return Invalid(fmt::format("drop_column: column '{}.{}' is added or changed by this same migration", table, column));
  if (std::find(t->primary_key.begin(), t->primary_key.end(), c->physical) != t->primary_key.end())
    return Invalid(fmt::format("drop_column: column '{}.{}' is part of the primary key", table, column));
  if (c->not_null && !c->default_expr && !down)
    return Invalid(fmt::format("drop_column: '{}.{}' is NOT NULL without a default: give a `down` expression so rows "
                               "the new version inserts get a value",
                               table, column));
  std::erase_if(t->columns, [&](const ModelColumn& x) { return x.name == column; });
  return {};
}

void DropColumn::Start(const OpEnv& env, Plan& plan) const {
  if (!down) return;
  const ModelTable* t = env.before->Find(table);
  plan.rules.push_back({t->physical, t->Find(column)->physical, *down, true});
}

void DropColumn::Complete(const OpEnv& env, Plan& plan) const {
  const ModelTable* t = env.before->Find(table);
  plan.steps.push_back({fmt::format("ALTER TABLE {} DROP COLUMN IF EXISTS {}", Qualified(env.schema, t->physical),
                                    Ident(t->Find(column)->physical))});
}

void DropColumn::Rollback(const OpEnv&, Plan&) const {}

std::string DropColumn::Describe() const { return fmt::format("drop_column {}.{}", table, column); }

}  // namespace strata::online
