#include "online/operations/drop_table.h"

#include <fmt/format.h>

#include <algorithm>

#include "online/sql_text.h"

namespace strata::online {

Result<std::unique_ptr<Operation>> DropTable::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "drop_table");
  TRY_VOID(f.Check());
  auto op = std::make_unique<DropTable>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->name, f.Str("name"));
  TRY_VOID(f.Done());
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> DropTable::Apply(SchemaModel& model) const {
  const ModelTable* t = model.Find(name);
  if (!t) return Invalid(fmt::format("drop_table: table '{}' does not exist", name));
  if (t->created) return Invalid(fmt::format("drop_table: table '{}' is created by this same migration", name));
  std::erase_if(model.tables, [&](const ModelTable& x) { return x.name == name; });
  return {};
}

void DropTable::Start(const OpEnv&, Plan&) const {}

void DropTable::Complete(const OpEnv& env, Plan& plan) const {
  plan.steps.push_back({fmt::format("DROP TABLE IF EXISTS {}", Qualified(env.schema, env.before->Find(name)->physical))});
}

void DropTable::Rollback(const OpEnv&, Plan&) const {}

std::string DropTable::Describe() const { return "drop_table " + name; }

}  // namespace strata::online
