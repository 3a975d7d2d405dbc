#include "online/operations/create_constraint.h"

#include <fmt/format.h>

#include <algorithm>

#include "online/sql_text.h"
#include "online/temp_column.h"

namespace strata::online {

namespace {
Result<std::map<std::string, std::string>> ColumnMap(Fields& f, const YAML::Node& parent, const std::string& key) {
  ASSIGN_OR_RETURN(YAML::Node n, f.Any(key));
  std::map<std::string, std::string> out;
  if (!n.IsDefined()) return out;
  if (!n.IsMap()) return f.Fail(n, fmt::format("create_constraint.{}: expected a mapping of column: expression", key));
  for (const auto& kv : n) {
    if (!kv.second.IsScalar())
      return f.Fail(kv.second, fmt::format("create_constraint.{}.{}: expected an expression", key, kv.first.Scalar()));
    out[kv.first.Scalar()] = kv.second.Scalar();
  }
  return out;
}
}  // namespace

Result<std::unique_ptr<Operation>> CreateConstraint::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "create_constraint");
  TRY_VOID(f.Check());
  auto op = std::make_unique<CreateConstraint>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->table, f.Str("table"));
  ASSIGN_OR_RETURN(op->name, f.Str("name"));
  ASSIGN_OR_RETURN(op->type, f.Str("type"));
  ASSIGN_OR_RETURN(op->columns, f.StrList("columns", true));
  ASSIGN_OR_RETURN(op->check, f.OptStr("check"));
  ASSIGN_OR_RETURN(YAML::Node refs, f.Map("references"));
  if (refs.IsDefined()) {
    Fields r(refs, file, "create_constraint.references");
    ASSIGN_OR_RETURN(op->ref_table, r.Str("table"));
    ASSIGN_OR_RETURN(op->ref_columns, r.StrList("columns", true));
    ASSIGN_OR_RETURN(auto od, r.OptStr("on_delete"));
    if (od) op->on_delete = *od;
    TRY_VOID(r.Done());
  }
  ASSIGN_OR_RETURN(op->up, ColumnMap(f, node, "up"));
  ASSIGN_OR_RETURN(op->down, ColumnMap(f, node, "down"));
  TRY_VOID(f.Done());
  if (op->type != "unique" && op->type != "check" && op->type != "foreign_key")
    return f.Fail(node["type"], fmt::format("create_constraint.type: expected unique, check or foreign_key, got '{}'", op->type));
  if (op->type == "check" && !op->check) return f.Fail(node, "create_constraint: type check needs 'check'");
  if (op->type == "foreign_key" && op->ref_table.empty())
    return f.Fail(node, "create_constraint: type foreign_key needs 'references'");
  if (op->type == "foreign_key" && op->ref_columns.size() != op->columns.size())
    return f.Fail(node, "create_constraint: references.columns must match columns one to one");
  for (const auto* m : {&op->up, &op->down})
    for (const auto& [col, expr] : *m)
      if (std::find(op->columns.begin(), op->columns.end(), col) == op->columns.end())
        return f.Fail(node, fmt::format("create_constraint: up/down name column '{}' which is not in columns", col));
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> CreateConstraint::Apply(SchemaModel& model) const {
  ModelTable* t = model.Find(table);
  if (!t) return Invalid(fmt::format("create_constraint: table '{}' does not exist", table));
  if (std::find(t->constraints.begin(), t->constraints.end(), name) != t->constraints.end() || model.indexes.contains(name))
    return Invalid(fmt::format("create_constraint: '{}' already exists on '{}'", name, table));
  for (const auto& c : columns) {
    ModelColumn* mc = t->Find(c);
    if (!mc) return Invalid(fmt::format("create_constraint: column '{}.{}' does not exist", table, c));
    if (type != "unique") {
      if (IsTempColumn(mc->physical))
        return Invalid(fmt::format("create_constraint: column '{}.{}' is already changed by this migration", table, c));
      for (const auto& pk : t->primary_key)
        if (pk == mc->physical)
          return Invalid(fmt::format("create_constraint: '{}.{}' is part of the primary key", table, c));
      mc->replaces = mc->physical;
      mc->physical = TempColumn(c);
    }
  }
  if (type == "foreign_key") {
    const ModelTable* rt = model.Find(ref_table);
    if (!rt) return Invalid(fmt::format("create_constraint: referenced table '{}' does not exist", ref_table));
    for (const auto& c : ref_columns)
      if (!rt->Find(c)) return Invalid(fmt::format("create_constraint: column '{}.{}' does not exist", ref_table, c));
  }
  t->constraints.push_back(name);
  if (type == "unique") model.indexes[name] = t->physical;
  return {};
}

std::string CreateConstraint::ConstraintSql(const OpEnv& env) const {
  auto phys = PhysicalNames(*env.after, table);
  if (type == "check") return fmt::format("CHECK ({}) NOT VALID", RewriteColumns(*check, phys));
  std::vector<std::string> cols, refs;
  for (const auto& c : columns) cols.push_back(Ident(phys[c]));
  auto rphys = PhysicalNames(*env.after, ref_table);
  for (const auto& c : ref_columns) refs.push_back(Ident(rphys[c]));
  std::string s = fmt::format("FOREIGN KEY ({}) REFERENCES {} ({})", fmt::join(cols, ", "),
                              Qualified(env.schema, env.after->Find(ref_table)->physical), fmt::join(refs, ", "));
  if (!on_delete.empty()) s += " ON DELETE " + on_delete;
  return s + " NOT VALID";
}

static std::vector<TempColumnSpec> Copies(const CreateConstraint& op, const OpEnv& env) {
  std::vector<TempColumnSpec> out;
  if (op.type == "unique") return out;
  const ModelTable* before = env.before->Find(op.table);
  const ModelTable* after = env.after->Find(op.table);
  std::vector<std::string> earlier;
  for (const auto& c : op.columns) {
    auto given = [&](const std::map<std::string, std::string>& exprs) -> std::optional<std::string> {
      if (auto e = exprs.find(c); e != exprs.end()) return e->second;
      return std::nullopt;
    };
    TempColumnSpec s = ColumnCopy(op.table, *before->Find(c), *after->Find(c), given(op.up), given(op.down));
    CarryIndexes(env, s, earlier);
    CarryConstraints(env, s, earlier);
    earlier.push_back(s.replaces);
    out.push_back(std::move(s));
  }
  return out;
}

void CreateConstraint::Start(const OpEnv& env, Plan& plan) const {
  const ModelTable* t = env.after->Find(table);
  if (type == "unique") {
    auto phys = PhysicalNames(*env.after, table);
    std::vector<std::string> cols;
    for (const auto& c : columns) cols.push_back(Ident(phys[c]));
    plan.steps.push_back({fmt::format("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} ({})", Ident(name),
                                      Qualified(env.schema, t->physical), fmt::join(cols, ", ")),
                          true, name});
    return;
  }
  for (const auto& s : Copies(*this, env)) StartTempColumn(env, s, plan);
  plan.steps.push_back({AddConstraintIfMissing(env.schema, t->physical, name, ConstraintSql(env))});
}

void CreateConstraint::Complete(const OpEnv& env, Plan& plan) const {
  const ModelTable* t = env.after->Find(table);
  if (type == "unique") {
    plan.steps.push_back({AddConstraintIfMissing(env.schema, t->physical, name, "UNIQUE USING INDEX " + Ident(name))});
    return;
  }
  plan.pre.push_back({ValidateConstraintIfNeeded(env.schema, t->physical, name)});
  for (const auto& s : Copies(*this, env)) CompleteTempColumn(env, s, plan);
}

void CreateConstraint::Rollback(const OpEnv& env, Plan& plan) const {
  if (type == "unique") {
    plan.steps.push_back({fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}", Qualified(env.schema, name)), true});
    return;
  }
  // Dropping the copies drops the constraint on them.
  for (const auto& s : Copies(*this, env)) RollbackTempColumn(env, s, plan);
}

std::string CreateConstraint::Describe() const {
  return fmt::format("create_constraint {} {} on {} ({})", type, name, table, fmt::join(columns, ", "));
}

}  // namespace strata::online
