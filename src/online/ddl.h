// SQL builders shared by the operations: column definitions (pgroll's column object),
// constraints added NOT VALID only when missing, and the NOT NULL-through-CHECK dance.
#pragma once

#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "online/yaml_fields.h"
#include "util/error.h"

namespace strata::online {

struct CheckSpec {
  std::string name;
  std::string constraint;  // expression over logical column names
};

struct ReferencesSpec {
  std::string name;
  std::string table;   // logical
  std::string column;  // logical
  std::string on_delete;  // "" or NO ACTION / RESTRICT / CASCADE / SET NULL / SET DEFAULT
};

// pgroll's column object: {name, type, nullable (default false), default, unique, pk,
// check{name,constraint}, references{name,table,column,on_delete}, comment}.
struct ColumnSpec {
  std::string name;
  std::string type;
  bool nullable = false;
  bool pk = false;
  bool unique = false;
  std::optional<std::string> default_expr;
  std::optional<CheckSpec> check;
  std::optional<ReferencesSpec> references;
  std::optional<std::string> comment;
};

Result<ColumnSpec> ParseColumnSpec(const YAML::Node& node, const std::string& file, const std::string& what);
Result<std::optional<CheckSpec>> ParseCheck(Fields& f, const std::string& key);
Result<std::optional<ReferencesSpec>> ParseReferences(Fields& f, const std::string& key);

// The name of the CHECK (col IS NOT NULL) constraint standing in for NOT NULL on `column`.
std::string NotNullCheckName(const std::string& table, const std::string& column);

// ALTER TABLE … ADD CONSTRAINT name <body>, run only when `table` has no constraint `name`.
std::string AddConstraintIfMissing(const std::string& schema, const std::string& table, const std::string& name,
                                   const std::string& body);
// ALTER TABLE … VALIDATE CONSTRAINT, when the constraint exists and is not yet valid.
std::string ValidateConstraintIfNeeded(const std::string& schema, const std::string& table, const std::string& name);
// FOREIGN KEY (column) REFERENCES schema.table (column) [ON DELETE …] (physical names).
std::string ForeignKeyBody(const std::string& schema, const std::string& column, const std::string& ref_table,
                           const std::string& ref_column, const std::string& on_delete);

}  // namespace strata::online
