#include "online/operations/add_column.h"

#include <fmt/format.h>

#include "online/sql_text.h"
#include "online/temp_column.h"

namespace strata::online {

Result<std::unique_ptr<Operation>> AddColumn::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "add_column");
  TRY_VOID(f.Check());
  auto op = std::make_unique<AddColumn>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->table, f.Str("table"));
  ASSIGN_OR_RETURN(YAML::Node col, f.Map("column"));
  if (!col.IsDefined()) return f.Fail(node, "add_column: missing required field 'column'");
  ASSIGN_OR_RETURN(op->column, ParseColumnSpec(col, file, "add_column.column"));
  ASSIGN_OR_RETURN(op->up, f.OptStr("up"));
  TRY_VOID(f.Done());
  if (op->column.pk) return f.Fail(col, "add_column.column.pk: a primary key cannot be added online; use create_table");
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> AddColumn::Apply(SchemaModel& model) const {
  ModelTable* t = model.Find(table);
  if (!t) return Invalid(fmt::format("add_column: table '{}' does not exist", table));
  if (t->Find(column.name)) return Invalid(fmt::format("add_column: column '{}.{}' already exists", table, column.name));
  if (!column.nullable && !column.default_expr && !up && !t->created)
    return Invalid(fmt::format("add_column: '{}.{}' is NOT NULL without a default: give it an `up` expression for the "
                               "existing rows (or a default, or nullable: true)",
                               table, column.name));
  if (column.references && !model.Find(column.references->table))
    return Invalid(fmt::format("add_column: referenced table '{}' does not exist", column.references->table));
  t->columns.push_back(
      ModelColumn{column.name, TempColumn(column.name), column.type, !column.nullable, column.default_expr, std::nullopt});
  return {};
}

std::optional<DefaultProbe> AddColumn::DefaultToProbe(const SchemaModel& before) const {
  // A table this migration creates has no rows to rewrite (and nobody else sees it before the
  // expand commits). The type is always asked about (serial, a domain with constraints); the
  // default only without `up` (with it, the default is set after the ADD COLUMN already).
  const ModelTable* t = before.Find(table);
  if (!t || t->created) return std::nullopt;
  DefaultProbe probe{column.type, std::nullopt};
  if (column.default_expr && !up) probe.expr = *column.default_expr;
  return probe;
}

static TempColumnSpec Spec(const AddColumn& op, bool default_rewrites = false) {
  TempColumnSpec s;
  s.table = op.table;
  s.logical = op.column.name;
  s.temp = TempColumn(op.column.name);
  s.type = op.column.type;
  s.not_null = !op.column.nullable;
  s.default_expr = op.column.default_expr;
  s.check = op.column.check;
  s.references = op.column.references;
  if (op.column.unique) s.unique = ShortName(fmt::format("{}_{}_key", op.table, op.column.name));
  s.comment = op.column.comment;
  s.up = op.up;
  s.default_rewrites = default_rewrites;
  return s;
}

void AddColumn::Start(const OpEnv& env, Plan& plan) const {
  StartTempColumn(env, Spec(*this, env.rewriting_default), plan);
}
void AddColumn::Complete(const OpEnv& env, Plan& plan) const { CompleteTempColumn(env, Spec(*this), plan); }
void AddColumn::Rollback(const OpEnv& env, Plan& plan) const { RollbackTempColumn(env, Spec(*this), plan); }
std::string AddColumn::Describe() const { return fmt::format("add_column {}.{} {}", table, column.name, column.type); }

}  // namespace strata::online
