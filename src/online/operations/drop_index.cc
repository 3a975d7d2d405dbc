#include "online/operations/drop_index.h"

#include <fmt/format.h>

#include "online/sql_text.h"

namespace strata::online {

Result<std::unique_ptr<Operation>> DropIndex::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "drop_index");
  TRY_VOID(f.Check());
  auto op = std::make_unique<DropIndex>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->name, f.Str("name"));
  TRY_VOID(f.Done());
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> DropIndex::Apply(SchemaModel& model) const {
  if (!model.indexes.contains(name)) return Invalid(fmt::format("drop_index: index '{}' does not exist", name));
  model.indexes.erase(name);
  model.index_defs.erase(name);
  return {};
}

void DropIndex::Start(const OpEnv&, Plan&) const {}

void DropIndex::Complete(const OpEnv& env, Plan& plan) const {
  plan.pre.push_back({fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}", Qualified(env.schema, name)), true});
}

void DropIndex::Rollback(const OpEnv&, Plan&) const {}

std::string DropIndex::Describe() const { return "drop_index " + name; }

}  // namespace strata::online
