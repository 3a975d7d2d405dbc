#include "online/operations/alter_column.h"

#include <fmt/format.h>

#include "online/sql_text.h"
#include "online/temp_column.h"

namespace strata::online {

Result<std::unique_ptr<Operation>> AlterColumn::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "alter_column");
  TRY_VOID(f.Check());
  auto op = std::make_unique<AlterColumn>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->table, f.Str("table"));
  ASSIGN_OR_RETURN(op->column, f.Str("column"));
  ASSIGN_OR_RETURN(op->name, f.OptStr("name"));
  ASSIGN_OR_RETURN(op->type, f.OptStr("type"));
  ASSIGN_OR_RETURN(op->nullable, f.OptBool("nullable"));
  ASSIGN_OR_RETURN(op->default_expr, f.OptStr("default"));
  ASSIGN_OR_RETURN(YAML::Node uq, f.Map("unique"));
  if (uq.IsDefined()) {
    Fields u(uq, file, "alter_column.unique");
    ASSIGN_OR_RETURN(op->unique, u.Str("name"));
    TRY_VOID(u.Done());
  }
  ASSIGN_OR_RETURN(op->check, ParseCheck(f, "check"));
  ASSIGN_OR_RETURN(op->references, ParseReferences(f, "references"));
  ASSIGN_OR_RETURN(op->comment, f.OptStr("comment"));
  ASSIGN_OR_RETURN(op->up, f.OptStr("up"));
  ASSIGN_OR_RETURN(op->down, f.OptStr("down"));
  TRY_VOID(f.Done());
  if (!op->name && !op->Copies() && !op->default_expr && !op->comment)
    return f.Fail(node, "alter_column: nothing to change (give name, type, nullable, default, unique, check, "
                        "references or comment)");
  if ((op->up || op->down) && !op->Copies())
    return f.Fail(node, "alter_column: up/down only apply to a type or constraint change");
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> AlterColumn::Apply(SchemaModel& model) const {
  ModelTable* t = model.Find(table);
  if (!t) return Invalid(fmt::format("alter_column: table '{}' does not exist", table));
  ModelColumn* c = t->Find(column);
  if (!c) return Invalid(fmt::format("alter_column: column '{}.{}' does not exist", table, column));
  if (IsTempColumn(c->physical))
    return Invalid(fmt::format("alter_column: column '{}.{}' is already added or changed by this migration", table, column));
  if (name && *name != column && t->Find(*name))
    return Invalid(fmt::format("alter_column: column '{}.{}' already exists", table, *name));
  if (Copies()) {
    for (const auto& pk : t->primary_key)
      if (pk == c->physical)
        return Invalid(fmt::format("alter_column: '{}.{}' is part of the primary key; a key column cannot be copied online",
                                   table, column));
    if (references && !model.Find(references->table))
      return Invalid(fmt::format("alter_column: referenced table '{}' does not exist", references->table));
    c->replaces = c->physical;
    c->physical = TempColumn(name.value_or(column));
    // The copy keeps the column's default (an explicit `default` replaces it): else rows
    // inserted without the column would get NULL from the new version and after complete.
    if (type) c->type = *type;
    if (nullable) c->not_null = !*nullable;
  }
  if (default_expr) {
    if (Copies()) c->default_expr = *default_expr;
    else c->view_default = *default_expr;
  }
  if (name) c->name = *name;
  return {};
}

TempColumnSpec AlterColumn::Spec(const OpEnv& env) const {
  const ModelColumn* old = env.before->Find(table)->Find(column);
  const ModelColumn* now = env.after->Find(table)->Find(name.value_or(column));
  TempColumnSpec s = ColumnCopy(table, *old, *now, up, down);
  s.check = check;
  s.references = references;
  s.unique = unique;
  s.comment = comment;
  CarryIndexes(env, s);
  CarryConstraints(env, s);
  return s;
}

void AlterColumn::Start(const OpEnv& env, Plan& plan) const {
  if (Copies()) StartTempColumn(env, Spec(env), plan);
}

void AlterColumn::Complete(const OpEnv& env, Plan& plan) const {
  const ModelTable* t = env.after->Find(table);
  const ModelColumn* now = t->Find(name.value_or(column));
  std::string qt = Qualified(env.schema, t->physical);
  if (Copies()) CompleteTempColumn(env, Spec(env), plan);
  if (default_expr && !Copies())
    plan.steps.push_back(
        {fmt::format("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}", qt, Ident(now->physical), *default_expr)});
  if (comment && !Copies())
    plan.steps.push_back({fmt::format("COMMENT ON COLUMN {}.{} IS {}", qt, Ident(now->physical), Literal(*comment))});
}

void AlterColumn::Rollback(const OpEnv& env, Plan& plan) const {
  if (Copies()) RollbackTempColumn(env, Spec(env), plan);
}

std::string AlterColumn::Describe() const {
  std::vector<std::string> what;
  if (name) what.push_back("rename to " + *name);
  if (type) what.push_back("type " + *type);
  if (nullable) what.push_back(*nullable ? "drop not null" : "set not null");
  if (default_expr) what.push_back("default " + *default_expr);
  if (unique) what.push_back("unique");
  if (check) what.push_back("check " + check->name);
  if (references) what.push_back("references " + references->table);
  if (comment) what.push_back("comment");
  return fmt::format("alter_column {}.{}: {}", table, column, fmt::join(what, ", "));
}

}  // namespace strata::online
