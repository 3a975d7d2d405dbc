// alter_column {table, column, name, type, nullable, default, unique{name}, check{name,constraint},
// references, comment, up, down}.
//   name only             -> a rename (as rename_column);
//   default / comment     -> set on the new version's view at start, on the table at complete;
//   type, nullable, unique, check, references
//                         -> the column is copied under a temporary name with the new type and
//                            constraints (NOT VALID), kept in step both ways by triggers (`up`:
//                            old -> new, default the column itself; `down`: new -> old, default
//                            the new column), backfilled, and swapped in at complete.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "online/ddl.h"
#include "online/operation.h"

namespace strata::online {

struct TempColumnSpec;

class AlterColumn final : public Operation {
 public:
  static Result<std::unique_ptr<Operation>> Parse(const YAML::Node& node, const std::string& file);
  std::string kind() const override { return "alter_column"; }
  Result<void> Apply(SchemaModel& model) const override;
  void Start(const OpEnv& env, Plan& plan) const override;
  void Complete(const OpEnv& env, Plan& plan) const override;
  void Rollback(const OpEnv& env, Plan& plan) const override;
  std::string Describe() const override;

  // True when the column must be copied (type or constraint change).
  bool Copies() const { return type || nullable || unique || check || references; }

  std::string table, column;
  std::optional<std::string> name, type, default_expr, comment, up, down, unique;
  std::optional<bool> nullable;
  std::optional<CheckSpec> check;
  std::optional<ReferencesSpec> references;

 private:
  TempColumnSpec Spec(const OpEnv& env) const;
};

}  // namespace strata::online
