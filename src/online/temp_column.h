// A column that exists under a temporary physical name while a migration is in flight
// (_strata_new_<name>): a new column (add_column) or the new copy of an existing one whose
// type or constraints change (alter_column, create_constraint). Its constraints are added
// NOT VALID (NOT NULL as a CHECK), validated at complete; `up` fills it from the old shape,
// `down` fills the replaced column from the new shape. The runner renames it at complete.
#pragma once

#include <optional>
#include <string>

#include "online/ddl.h"
#include "online/operation.h"

namespace strata::online {

// An index of the replaced column, rebuilt on the copy (CONCURRENTLY) under a temporary name
// and given the original's name (or its unique constraint) at complete.
struct CarriedIndex {
  std::string name;        // the original
  std::string temp;        // the copy's index while in flight
  std::string create_sql;  // CREATE … INDEX CONCURRENTLY IF NOT EXISTS temp ON … (copy column)
  std::string constraint;  // the unique constraint to recreate, "" for a plain index
};

// A check or foreign-key constraint naming the replaced column, added on the copy at start
// (NOT VALID, under a temporary name), validated at complete (when the original was valid) and
// given the original's name once the old column, and the original with it, is dropped.
struct CarriedConstraint {
  std::string name;  // the original
  std::string temp;  // the copy's constraint while in flight
  std::string body;  // CHECK (…) / FOREIGN KEY (…) REFERENCES … NOT VALID, over the copy
  bool validate = true;
};

struct TempColumnSpec {
  std::string table;     // logical table name in the new shape
  std::string logical;   // the column's name in the new shape
  std::string temp;      // its physical name while in flight
  std::string type;
  bool not_null = false;
  std::optional<std::string> default_expr;
  std::optional<CheckSpec> check;            // over the new shape's column names
  std::optional<ReferencesSpec> references;  // logical names
  std::optional<std::string> unique;         // name of the unique constraint to add
  std::optional<std::string> comment;
  std::optional<std::string> up;             // over the old shape's names; fills `temp`
  // PostgreSQL said default_expr would rewrite the table in ADD COLUMN (OpEnv::rewriting_default):
  // without `up`, the default fills the existing rows instead, where `temp` is still NULL.
  bool default_rewrites = false;
  std::optional<std::string> down;           // over the new shape's names; fills `replaces`
  std::string replaces;                      // the physical column this one replaces ("" for a new column)
  std::vector<CarriedIndex> indexes;         // indexes of `replaces`, copied
  std::vector<CarriedConstraint> constraints;  // check/foreign keys of `replaces`, copied
  // `check` / `references` restate (same name) a constraint of `replaces`: added under the
  // temporary name while the original still exists, renamed at complete.
  std::vector<std::string> restated;
};

// The spec of a copy of an existing column `old` (env.before) as `now` (env.after, its
// temporary physical name): type, NOT NULL and default of `now`; `up` / `down` as given, else
// the column itself under its old / new name. The caller adds what else changes and carries
// indexes and constraints.
TempColumnSpec ColumnCopy(const std::string& table, const ModelColumn& old, const ModelColumn& now,
                          const std::optional<std::string>& up, const std::optional<std::string>& down);

// Fills c.indexes from the live indexes of `env.before` that name c.replaces: as a key, in an
// expression or in the predicate (primary key indexes are not carried). Every column the
// migration has copied so far is renamed to its copy in the definition; an index that also
// names a column a later operation copies is left to that one (carried once, by the last), and
// one naming a column of `earlier` (copies of the same operation carried first) to that copy.
void CarryIndexes(const OpEnv& env, TempColumnSpec& c, const std::vector<std::string>& earlier = {});

// Fills c.constraints (and c.restated) from the check and foreign-key constraints of
// `env.before` on the table that name c.replaces, except those the operation restates (c.check /
// c.references under the same name, listed in c.restated instead); copied columns, later and
// `earlier` copies as for CarryIndexes.
void CarryConstraints(const OpEnv& env, TempColumnSpec& c, const std::vector<std::string>& earlier = {});

// The text of constraint `k` with the columns of `renames` renamed (a foreign key's own column
// lists only, never the referenced table's), without NOT VALID; nullopt when not understood.
std::optional<std::string> RenamedConstraintDefinition(const ModelConstraint& k,
                                                       const std::map<std::string, std::string>& renames);

void StartTempColumn(const OpEnv& env, const TempColumnSpec& c, Plan& plan);
void CompleteTempColumn(const OpEnv& env, const TempColumnSpec& c, Plan& plan);
void RollbackTempColumn(const OpEnv& env, const TempColumnSpec& c, Plan& plan);

// logical -> physical column names of `table` in `model` (empty when the table is unknown).
std::map<std::string, std::string> PhysicalNames(const SchemaModel& model, const std::string& table);

}  // namespace strata::online
