// create_index {name, table, columns, unique, method, predicate}: CREATE INDEX CONCURRENTLY at start (an INVALID leftover of an earlier attempt is dropped first); DROP INDEX CONCURRENTLY on rollback.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "online/ddl.h"
#include "online/operation.h"

namespace strata::online {

class CreateIndex final : public Operation {
 public:
  static Result<std::unique_ptr<Operation>> Parse(const YAML::Node& node, const std::string& file);
  std::string kind() const override { return "create_index"; }
  Result<void> Apply(SchemaModel& model) const override;
  void Start(const OpEnv& env, Plan& plan) const override;
  void Complete(const OpEnv& env, Plan& plan) const override;
  void Rollback(const OpEnv& env, Plan& plan) const override;
  std::string Describe() const override;

  std::string name, table;
  std::vector<std::string> columns;
  bool unique = false;
  std::optional<std::string> method, predicate;
};

}  // namespace strata::online
