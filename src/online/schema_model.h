// The shape of one schema as an online migration sees it: tables and columns under their
// logical names (what a version's views show) mapped to physical names (what the tables
// hold while a migration is in flight). Operations check themselves against the model and
// then change it; the final model is the new version's shape.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "util/error.h"

namespace strata::online {

struct ModelColumn {
  std::string name;      // logical
  std::string physical;  // column of the physical table
  std::string type;      // format_type
  bool not_null = false;
  std::optional<std::string> default_expr;
  std::optional<std::string> view_default;  // a default set on the new version's view only
  // In the shapes of a migration in flight only (not stored): the physical column this copy
  // replaces (alter_column, create_constraint, drop_constraint with up/down).
  std::string replaces;
};

struct ModelTable {
  std::string name;      // logical
  std::string physical;  // the table in the base schema
  std::vector<ModelColumn> columns;
  std::vector<std::string> primary_key;  // physical column names
  std::vector<std::string> constraints;  // names
  bool created = false;                  // created by the migration in flight
  bool partitioned = false;              // a partitioned table (relkind 'p')
  // Read from the live catalog only (not stored): what depends on a physical column ("" = on
  // the table itself) and stops it being dropped: the users' views (not strata's version
  // schemas) and other tables' foreign keys, e.g. `view "public"."v"`.
  std::map<std::string, std::vector<std::string>> dependents;
  // The table's own foreign keys by the column they reference (a tree: parent -> code): they
  // stop that column being dropped, not the table.
  std::map<std::string, std::vector<std::string>> own_references;

  ModelColumn* Find(std::string_view column);
  const ModelColumn* Find(std::string_view column) const;
};

// An existing index, so that a copied column (alter_column, create_constraint) gets a copy.
struct ModelIndex {
  std::string table;                   // physical
  std::string definition;              // pg_get_indexdef
  std::vector<std::string> columns;    // physical columns it names: keys, expressions, predicate
  std::string constraint;              // the unique constraint it backs, "" if none
  bool unique = false;
};

// An existing CHECK or FOREIGN KEY constraint, so that a copied column (alter_column,
// create_constraint) gets a copy instead of losing it when the old column is dropped.
struct ModelConstraint {
  std::string table;                 // physical
  std::string name;
  std::string type;                  // "c" (check) or "f" (foreign key)
  std::string definition;            // pg_get_constraintdef, read with search_path = pg_catalog
  std::vector<std::string> columns;  // physical columns of the table it names (conkey)
  bool validated = true;
};

struct SchemaModel {
  std::vector<ModelTable> tables;
  std::map<std::string, std::string> indexes;  // index name -> physical table
  std::map<std::string, ModelIndex> index_defs;  // valid indexes of the live schema, by name
  // Check and foreign-key constraints of the live schema (state stored before they were read
  // has none: nothing is carried for it).
  std::vector<ModelConstraint> constraint_defs;

  ModelTable* Find(std::string_view table);
  const ModelTable* Find(std::string_view table) const;
  // By physical name (the same table in every shape of a migration, renamed or not).
  const ModelTable* FindPhysical(std::string_view physical) const;

  nlohmann::json ToJson() const;
  static SchemaModel FromJson(const nlohmann::json& j);
};

// The names of `from`'s columns -> the names the same physical columns have in `to`, where they
// differ (one table in two shapes of a migration: what renames in between did).
std::map<std::string, std::string> NamesIn(const ModelTable& from, const ModelTable& to);

// Reads the tables of `schema` (columns named _strata_new_* left out: they belong to a
// migration in flight). kDatabase when a catalog query fails.
Result<SchemaModel> ReadSchemaModel(Engine& engine, const std::string& schema);

}  // namespace strata::online
