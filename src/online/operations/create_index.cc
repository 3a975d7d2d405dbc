#include "online/operations/create_index.h"

#include <fmt/format.h>

#include <algorithm>

#include "online/sql_text.h"
#include "online/temp_column.h"

namespace strata::online {

Result<std::unique_ptr<Operation>> CreateIndex::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "create_index");
  TRY_VOID(f.Check());
  auto op = std::make_unique<CreateIndex>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->name, f.Str("name"));
  ASSIGN_OR_RETURN(op->table, f.Str("table"));
  ASSIGN_OR_RETURN(op->columns, f.StrList("columns", true));
  ASSIGN_OR_RETURN(auto unique, f.OptBool("unique"));
  op->unique = unique.value_or(false);
  ASSIGN_OR_RETURN(op->method, f.OptStr("method"));
  ASSIGN_OR_RETURN(op->predicate, f.OptStr("predicate"));
  TRY_VOID(f.Done());
  if (op->method) {
    static const char* kMethods[] = {"btree", "hash", "gist", "spgist", "gin", "brin"};
    if (std::find(std::begin(kMethods), std::end(kMethods), *op->method) == std::end(kMethods))
      return f.Fail(node["method"], fmt::format("create_index.method: expected btree, hash, gist, spgist, gin or brin, got '{}'", *op->method));
  }
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> CreateIndex::Apply(SchemaModel& model) const {
  const ModelTable* t = model.Find(table);
  if (!t) return Invalid(fmt::format("create_index: table '{}' does not exist", table));
  for (const auto& c : columns)
    if (!t->Find(c)) return Invalid(fmt::format("create_index: column '{}.{}' does not exist", table, c));
  if (model.indexes.contains(name)) return Invalid(fmt::format("create_index: index '{}' already exists", name));
  model.indexes[name] = t->physical;
  return {};
}

void CreateIndex::Start(const OpEnv& env, Plan& plan) const {
  const ModelTable* t = env.after->Find(table);
  auto phys = PhysicalNames(*env.after, table);
  std::vector<std::string> cols;
  for (const auto& c : columns) cols.push_back(Ident(phys[c]));
  std::string sql = fmt::format("CREATE {}INDEX CONCURRENTLY IF NOT EXISTS {} ON {}{} ({})", unique ? "UNIQUE " : "",
                                Ident(name), Qualified(env.schema, t->physical),
                                method ? " USING " + *method : std::string(), fmt::join(cols, ", "));
  if (predicate) sql += " WHERE " + RewriteColumns(*predicate, phys);
  plan.steps.push_back({sql, true, name});
}

void CreateIndex::Complete(const OpEnv&, Plan&) const {}

void CreateIndex::Rollback(const OpEnv& env, Plan& plan) const {
  plan.steps.push_back({fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}", Qualified(env.schema, name)), true});
}

std::string CreateIndex::Describe() const {
  return fmt::format("create_index {} on {} ({})", name, table, fmt::join(columns, ", "));
}

}  // namespace strata::online
