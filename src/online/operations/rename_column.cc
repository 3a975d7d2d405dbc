#include "online/operations/rename_column.h"

#include <fmt/format.h>

namespace strata::online {

Result<std::unique_ptr<Operation>> RenameColumn::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "rename_column");
  TRY_VOID(f.Check());
  auto op = std::make_unique<RenameColumn>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->table, f.Str("table"));
  ASSIGN_OR_RETURN(op->from, f.Str("from"));
  ASSIGN_OR_RETURN(op->to, f.Str("to"));
  TRY_VOID(f.Done());
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> RenameColumn::Apply(SchemaModel& model) const {
  ModelTable* t = model.Find(table);
  if (!t) return Invalid(fmt::format("rename_column: table '{}' does not exist", table));
  ModelColumn* c = t->Find(from);
  if (!c) return Invalid(fmt::format("rename_column: column '{}.{}' does not exist", table, from));
  if (t->Find(to)) return Invalid(fmt::format("rename_column: column '{}.{}' already exists", table, to));
  c->name = to;
  return {};
}

// The physical rename happens at complete, with every other rename (online_runner.cc).
void RenameColumn::Start(const OpEnv&, Plan&) const {}
void RenameColumn::Complete(const OpEnv&, Plan&) const {}
void RenameColumn::Rollback(const OpEnv&, Plan&) const {}

std::string RenameColumn::Describe() const { return fmt::format("rename_column {}.{} -> {}", table, from, to); }

}  // namespace strata::online
