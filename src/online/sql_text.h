// SQL text helpers shared by every online operation: quoting, temporary names, and rewriting
// the column names inside user expressions (check constraints, predicates).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace strata::online {

// "name" with embedded quotes doubled (always quoted, so case and keywords are kept).
std::string Ident(std::string_view name);
// schema.name, both quoted.
std::string Qualified(std::string_view schema, std::string_view name);
// 'text' with embedded quotes doubled.
std::string Literal(std::string_view text);

// The physical name of a column while a migration is in flight: "_strata_new_<name>".
std::string TempColumn(std::string_view name);
bool IsTempColumn(std::string_view name);

// An identifier of at most 63 bytes: `name` itself when short enough, otherwise its first
// 54 bytes, '_' and 8 hex digits of its SHA-256 (so distinct long names stay distinct).
std::string ShortName(std::string_view name);

// Replaces every reference to a column named in `renames` (keys: names as written, unquoted
// identifiers compared case-insensitively, quoted ones exactly) by the quoted value. String
// literals, dollar-quoted text, comments and qualified names (a.b) are left alone.
std::string RewriteColumns(std::string_view expr, const std::map<std::string, std::string>& renames);

}  // namespace strata::online
