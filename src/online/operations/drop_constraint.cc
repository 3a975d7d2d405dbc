#include "online/operations/drop_constraint.h"

#include <fmt/format.h>

#include <algorithm>

#include "online/sql_text.h"

namespace strata::online {

Result<std::unique_ptr<Operation>> DropConstraint::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "drop_constraint");
  TRY_VOID(f.Check());
  auto op = std::make_unique<DropConstraint>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->table, f.Str("table"));
  ASSIGN_OR_RETURN(op->name, f.Str("name"));
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
  t->constraints.erase(it);
  return {};
}

void DropConstraint::Start(const OpEnv&, Plan&) const {}

void DropConstraint::Complete(const OpEnv& env, Plan& plan) const {
  plan.steps.push_back({fmt::format("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                                    Qualified(env.schema, env.before->Find(table)->physical), Ident(name))});
}

void DropConstraint::Rollback(const OpEnv&, Plan&) const {}

std::string DropConstraint::Describe() const { return fmt::format("drop_constraint {}.{}", table, name); }

}  // namespace strata::online
