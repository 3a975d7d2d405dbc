// Small readers over the PostgreSQL parse tree (strata::pg::Node) shared by the facts and the
// rules. All functions are pure and never fail: missing parts read as empty.
#pragma once

#include <string>
#include <string_view>

#include "sql/pg_parse.h"

namespace strata::lint {

// "schema.table" or "table" of a RangeVar-shaped node; "" for null.
std::string RelationName(const pg::Node* range_var);
// The table part only, lower-case as PostgreSQL folds it (quoted names are kept as parsed).
std::string_view BareName(const pg::Node* range_var);

// The last element of a TypeName's names, e.g. "int4", "varchar", "timestamptz", "bigserial".
std::string_view TypeNameLast(const pg::Node* type_name);
// The type as a user would write it, e.g. "varchar(20)", "integer", "timestamp".
std::string TypeNameDisplay(const pg::Node* type_name);
// Number of type modifiers (e.g. 1 for varchar(20), 2 for numeric(10,2)).
int TypeModCount(const pg::Node* type_name);

// Joined names of a list of String nodes, e.g. funcname ["pg_catalog","now"] -> "pg_catalog.now".
std::string JoinNames(const pg::Node& node, std::string_view field);
// The last String of a list field, e.g. the function name without schema.
std::string_view LastName(const pg::Node& node, std::string_view field);

// Whether a DefElem list (VACUUM, REINDEX options …) contains `name`.
bool HasOption(const pg::Node& node, std::string_view list_field, std::string_view name);

enum class Volatility { kConstant, kStable, kVolatile, kUnknownFunction };
// Classifies a DEFAULT expression: constants and casts of constants; STABLE functions such as
// now(); volatile functions such as gen_random_uuid(), clock_timestamp(), random(), nextval();
// other user functions (unknown volatility, treated as volatile by the rules).
Volatility ClassifyDefault(const pg::Node* expr);
// For messages: the first function name in the expression, or "".
std::string FirstFunctionName(const pg::Node* expr);

// The constraint of `contype` ("CONSTR_NOTNULL", "CONSTR_DEFAULT", …) among a ColumnDef's
// constraints, or null.
const pg::Node* ColumnConstraint(const pg::Node& column_def, std::string_view contype);

// Lower-case ASCII copy.
std::string Lower(std::string_view s);

}  // namespace strata::lint
