// create_constraint {table, name, type: unique|check|foreign_key, columns, check,
// references{table, columns, on_delete}, up{col: expr}, down{col: expr}}.
//   unique       -> CREATE UNIQUE INDEX CONCURRENTLY at start, ADD CONSTRAINT … USING INDEX at complete;
//   check / foreign_key
//                -> like pgroll, the listed columns are copied under temporary names and the
//                   constraint (NOT VALID) is put on the copies, so the old version's writes are
//                   not held to it; `up` (per column, default the column) fixes values coming
//                   from the old version, `down` (default the new value) goes back; validated
//                   and swapped in at complete.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "online/ddl.h"
#include "online/operation.h"

namespace strata::online {

class CreateConstraint final : public Operation {
 public:
  static Result<std::unique_ptr<Operation>> Parse(const YAML::Node& node, const std::string& file);
  std::string kind() const override { return "create_constraint"; }
  Result<void> Apply(SchemaModel& model) const override;
  void Start(const OpEnv& env, Plan& plan) const override;
  void Complete(const OpEnv& env, Plan& plan) const override;
  void Rollback(const OpEnv& env, Plan& plan) const override;
  std::string Describe() const override;

  std::string table, name, type;  // type: unique, check, foreign_key
  std::vector<std::string> columns;
  std::optional<std::string> check;
  std::string ref_table, on_delete;
  std::vector<std::string> ref_columns;
  std::map<std::string, std::string> up, down;

 private:
  std::string ConstraintSql(const OpEnv& env) const;
};

}  // namespace strata::online
