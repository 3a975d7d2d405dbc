// A normalised snapshot of a PostgreSQL database's schema: what `strata schema dump` prints.
// Normalised means deterministic: every list sorted by schema and name (columns in table
// order), definitions as PostgreSQL itself renders them (pg_get_*def, format_type,
// pg_get_expr), and nothing instance-specific (no OIDs, no sequence positions).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "util/error.h"

namespace strata {

// Who owns an object and who was granted what on it. Filled only when asked.
struct Access {
  std::optional<std::string> owner;
  std::vector<std::string> grants;  // "grantee PRIVILEGE[ WITH GRANT OPTION]", sorted; PUBLIC for everyone
};

struct SnapshotOptions {
  std::vector<std::string> schemas_to_skip = {"strata"};  // besides the system schemas
  bool with_owners = false;  // fill Access::owner of schemas, tables, views, sequences, functions, types
  bool with_grants = false;  // fill Access::grants of the same objects
};

struct SchemaInfo {
  std::string name;
  std::optional<std::string> comment;
  Access access;  // owner and grants: filled only when asked (SnapshotOptions)
};

struct ColumnInfo {
  std::string name;
  std::string type;                     // format_type
  bool nullable = true;
  std::optional<std::string> default_expr;
  std::string identity;                 // "", "always" or "by default"
  std::optional<std::string> generated; // the expression of a GENERATED ... STORED column
  std::optional<std::string> comment;
};

struct ConstraintInfo {
  std::string name;
  std::string type;        // primary key, foreign key, unique, check, exclusion, not null, trigger
  std::string definition;  // pg_get_constraintdef
  std::optional<std::string> comment;
};

struct TableInfo {
  std::string schema, name;
  bool partitioned = false;
  std::vector<ColumnInfo> columns;
  std::vector<ConstraintInfo> constraints;
  std::optional<std::string> comment;
  Access access;  // owner and grants: filled only when asked (SnapshotOptions)
};

struct IndexInfo {
  std::string schema, table, name;
  std::string definition;           // pg_get_indexdef
  std::optional<std::string> constraint;  // the constraint it backs, if any
  std::optional<std::string> comment;
};

struct ViewInfo {
  std::string schema, name;
  bool materialized = false;
  std::string definition;  // pg_get_viewdef(oid, true)
  std::optional<std::string> comment;
  Access access;  // owner and grants: filled only when asked (SnapshotOptions)
};

struct FunctionInfo {
  std::string schema, name;
  std::string arguments;  // pg_get_function_identity_arguments
  std::string kind;       // function, procedure, aggregate, window
  std::optional<std::string> definition;  // pg_get_functiondef (not for aggregates)
  std::optional<std::string> comment;
  Access access;  // owner and grants: filled only when asked (SnapshotOptions)
};

struct TriggerInfo {
  std::string schema, table, name;
  std::string definition;  // pg_get_triggerdef(oid, true)
  bool enabled = true;
};

struct SequenceInfo {
  std::string schema, name;
  std::string type;
  std::string start, increment, min, max, cache;
  bool cycle = false;
  std::optional<std::string> owned_by;  // schema.table.column
  std::optional<std::string> comment;
  Access access;  // owner and grants: filled only when asked (SnapshotOptions)
};

struct TypeInfo {
  std::string schema, name;
  std::string kind;        // enum, domain, composite, range
  std::string definition;  // enum labels, domain base + constraints, composite fields, range subtype
  std::optional<std::string> comment;
  Access access;  // owner and grants: filled only when asked (SnapshotOptions)
};

struct ExtensionInfo {
  std::string name, schema, version;
};

struct CatalogSnapshot {
  std::vector<SchemaInfo> schemas;
  std::vector<ExtensionInfo> extensions;
  std::vector<TypeInfo> types;
  std::vector<SequenceInfo> sequences;
  std::vector<TableInfo> tables;
  std::vector<IndexInfo> indexes;
  std::vector<ViewInfo> views;
  std::vector<FunctionInfo> functions;
  std::vector<TriggerInfo> triggers;
  bool grants_read = false;  // Access::grants were read (an empty list then means "no grants")
};

// The schemas skipped besides the system ones: strata's own bookkeeping schemas (strata, strata_online).
std::vector<std::string> DefaultSkippedSchemas();

// Reads every user schema (pg_catalog, information_schema, pg_toast*, pg_temp* and
// `schemas_to_skip` left out; objects belonging to extensions left out too). kInput for a
// non-PostgreSQL engine; kDatabase when a catalog query fails.
Result<CatalogSnapshot> ReadPostgresSnapshot(Engine& engine,
                                             const std::vector<std::string>& schemas_to_skip = DefaultSkippedSchemas());
// The same with owners and grants when asked.
Result<CatalogSnapshot> ReadPostgresSnapshot(Engine& engine, const SnapshotOptions& options);

// SQLite: tables (columns from table_info, constraints as the CREATE TABLE text), indexes, views
// and triggers from sqlite_schema; strata's own tables (strata_*) and sqlite_* left out.
Result<CatalogSnapshot> ReadSqliteSnapshot(Engine& engine);

// PostgreSQL or SQLite, by the engine's kind (owners and grants: PostgreSQL only).
Result<CatalogSnapshot> ReadSnapshot(Engine& engine, const SnapshotOptions& options = {});

nlohmann::json ToJson(const CatalogSnapshot& snapshot);
std::string ToText(const CatalogSnapshot& snapshot);

}  // namespace strata
