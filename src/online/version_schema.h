// Version schemas: one schema per migration (<base schema>_<migration name>, as pgroll names
// them) holding one view per table with that version's column names, plus a role of the same
// name whose search_path is preset to it (ALTER ROLE … IN DATABASE … SET search_path), so a
// client picks its version by search_path, by SET strata.version, or by logging in as the
// role — the last works behind PgBouncer in transaction mode.
#pragma once

#include <string>
#include <vector>

#include "online/schema_model.h"

namespace strata::online {

std::string VersionSchemaName(const std::string& schema, const std::string& migration);

// CREATE SCHEMA IF NOT EXISTS + CREATE OR REPLACE VIEW per table of `shape` (+ view defaults).
std::vector<std::string> CreateVersionSchemaSql(const std::string& schema, const std::string& version_schema,
                                                const SchemaModel& shape);
// The role: created NOLOGIN when missing (grant it LOGIN or membership yourself), search_path
// preset in this database, usage and DML on the version's views, usage on the base schema's
// sequences. Needs CREATEROLE; the runner reports a warning when it is missing.
std::vector<std::string> CreateRoleSql(const std::string& schema, const std::string& version_schema);
// DROP SCHEMA … CASCADE, and the role's privileges and settings in this database.
std::vector<std::string> DropVersionSchemaSql(const std::string& version_schema);
// DROP ROLE (fails harmlessly while other databases still use it).
std::string DropRoleSql(const std::string& version_schema);

}  // namespace strata::online
