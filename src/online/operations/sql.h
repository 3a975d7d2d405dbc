// sql {up, down, onComplete}: raw SQL run at start (up) and rollback (down); with onComplete
// (pgroll) `up` runs in complete's contract transaction instead and rollback has nothing to undo. Unsafe: strata cannot tell what it locks or rewrites; plan and lint say so.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "online/ddl.h"
#include "online/operation.h"

namespace strata::online {

class RawSql final : public Operation {
 public:
  static Result<std::unique_ptr<Operation>> Parse(const YAML::Node& node, const std::string& file);
  std::string kind() const override { return "sql"; }
  Result<void> Apply(SchemaModel& model) const override;
  void Start(const OpEnv& env, Plan& plan) const override;
  void Complete(const OpEnv& env, Plan& plan) const override;
  void Rollback(const OpEnv& env, Plan& plan) const override;
  std::string Describe() const override;
  bool unsafe() const override { return true; }

  std::string up;
  std::optional<std::string> down;
  bool on_complete = false;  // pgroll's onComplete: run `up` at complete instead of start
};

}  // namespace strata::online
