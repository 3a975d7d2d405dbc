#include "online/operations/sql.h"

#include <fmt/format.h>

namespace strata::online {

Result<std::unique_ptr<Operation>> RawSql::Parse(const YAML::Node& node, const std::string& file) {
  Fields f(node, file, "sql");
  TRY_VOID(f.Check());
  auto op = std::make_unique<RawSql>();
  op->file = file;
  op->line = f.line();
  ASSIGN_OR_RETURN(op->up, f.Str("up"));
  ASSIGN_OR_RETURN(op->down, f.OptStr("down"));
  ASSIGN_OR_RETURN(auto on_complete, f.OptBool("onComplete"));
  op->on_complete = on_complete.value_or(false);
  TRY_VOID(f.Done());
  if (op->on_complete && op->down)
    return f.Fail(node, "sql: onComplete runs `up` at complete, after which nothing is rolled back: drop `down`");
  return std::unique_ptr<Operation>(std::move(op));
}

Result<void> RawSql::Apply(SchemaModel&) const { return {}; }

void RawSql::Start(const OpEnv&, Plan& plan) const {
  if (!on_complete) plan.steps.push_back({up});
}
void RawSql::Complete(const OpEnv&, Plan& plan) const {
  if (on_complete) plan.steps.push_back({up});
}
void RawSql::Rollback(const OpEnv&, Plan& plan) const {
  if (down && !on_complete) plan.steps.push_back({*down});
}

std::string RawSql::Describe() const {
  return fmt::format("sql (unsafe){}", on_complete ? ", at complete" : (down ? "" : ", no down"));
}

}  // namespace strata::online
