// drop_constraint {table, name[, column, up, down]}: drops a CHECK, FOREIGN KEY or UNIQUE
// constraint.
//
// Without up/down the constraint stays while the old version runs (it still applies to the new
// version's writes) and is dropped at complete. With up/down (pgroll's form) the new version is
// free of it at once: its one column is copied without the constraint (like alter_column: the
// copy keeps type, NOT NULL, default, the other indexes and constraints), `up` fills the copy
// from the old version's column, `down` fills the old column from the new version's writes (and
// must satisfy the constraint); complete drops the old column, the constraint with it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "online/ddl.h"
#include "online/operation.h"
#include "online/temp_column.h"

namespace strata::online {

class DropConstraint final : public Operation {
 public:
  static Result<std::unique_ptr<Operation>> Parse(const YAML::Node& node, const std::string& file);
  std::string kind() const override { return "drop_constraint"; }
  Result<void> Apply(SchemaModel& model) const override;
  void Start(const OpEnv& env, Plan& plan) const override;
  void Complete(const OpEnv& env, Plan& plan) const override;
  void Rollback(const OpEnv& env, Plan& plan) const override;
  std::string Describe() const override;

  // The column is copied (up or down given).
  bool Copies() const { return up.has_value() || down.has_value(); }

  std::string table, name;
  std::optional<std::string> column;  // pgroll <= 0.7 names it; checked against the constraint
  std::optional<std::string> up, down;

 private:
  TempColumnSpec Spec(const OpEnv& env) const;
};

}  // namespace strata::online
