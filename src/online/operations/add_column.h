// add_column {table, column{name,type,nullable,default,unique,check,references,comment}, up}:
// a new column, under a temporary name until complete; `up` computes it for rows written by
// the old version and for existing rows (backfill). NOT NULL without a default needs `up`.
// Without `up`, a default PostgreSQL would rewrite the table for (DefaultToProbe: a volatile
// one) is set after the ADD COLUMN and filled into the existing rows by the backfill.
#pragma once

#include <memory>

#include <yaml-cpp/yaml.h>

#include "online/ddl.h"
#include "online/operation.h"

namespace strata::online {

class AddColumn final : public Operation {
 public:
  static Result<std::unique_ptr<Operation>> Parse(const YAML::Node& node, const std::string& file);
  std::string kind() const override { return "add_column"; }
  Result<void> Apply(SchemaModel& model) const override;
  void Start(const OpEnv& env, Plan& plan) const override;
  void Complete(const OpEnv& env, Plan& plan) const override;
  void Rollback(const OpEnv& env, Plan& plan) const override;
  std::optional<DefaultProbe> DefaultToProbe(const SchemaModel& before) const override;
  std::string Describe() const override;

  std::string table;
  ColumnSpec column;
  std::optional<std::string> up;
};

}  // namespace strata::online
