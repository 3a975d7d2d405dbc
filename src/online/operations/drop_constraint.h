// drop_constraint {table, name, up, down}: the constraint stays while the old version runs and is dropped at complete. up/down (pgroll) are accepted and checked as expressions but not needed: no column is copied.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "online/ddl.h"
#include "online/operation.h"

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

  std::string table, name;
  std::optional<std::string> up, down;
};

}  // namespace strata::online
