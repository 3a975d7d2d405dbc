#include "online/operations/rename_table.h"

#include <fmt/format.h>

namespace strata::online {

Result<std::unique_ptr<Operation>> RenameTable::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "rename_table");
  TRY_VOID(f.Check());
  auto op = std::make_unique<RenameTable>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->from, f.Str("from"));
  ASSIGN_OR_RETURN(op->to, f.Str("to"));
  TRY_VOID(f.Done());
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> RenameTable::Apply(SchemaModel& model) const {
  ModelTable* t = model.Find(from);
  if (!t) return Invalid(fmt::format("rename_table: table '{}' does not exist", from));
  if (model.Find(to)) return Invalid(fmt::format("rename_table: table '{}' already exists", to));
  t->name = to;
  return {};
}

// The physical rename happens at complete, with every other rename (online_runner.cc).
void RenameTable::Start(const OpEnv&, Plan&) const {}
void RenameTable::Complete(const OpEnv&, Plan&) const {}
void RenameTable::Rollback(const OpEnv&, Plan&) const {}

std::string RenameTable::Describe() const { return fmt::format("rename_table {} -> {}", from, to); }

}  // namespace strata::online
