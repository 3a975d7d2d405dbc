// Helpers shared by the rule files (not part of the public lint API).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "lint/ast_util.h"
#include "lint/rule.h"

namespace strata::lint::rules {

inline bool IsAlterTable(const pg::Node& s) {
  return s.Is("AlterTableStmt") && s.Str("objtype") == "OBJECT_TABLE";
}
// The subcommands of an ALTER TABLE, empty for anything else.
inline std::span<const pg::Node* const> AlterCmds(const RuleContext& c) { return c.alter_cmds(); }
inline const pg::Node* Rel(const RuleContext& c) { return c.relation(); }
inline std::string Q(std::string_view name) { return "\"" + std::string(name) + "\""; }
// True for a table that existed before this file (locking a table created in the same file
// blocks nobody).
inline bool Existing(const RuleContext& c, const pg::Node* rv) {
  if (rv != nullptr && rv == c.relation()) return c.relation_exists();
  return rv != nullptr && !c.state().IsNewTable(BareName(rv));
}
inline int Loc(const pg::Node* n) { return n != nullptr ? n->location() : -1; }
// "users" for the statement's relation.
inline std::string TableOf(const RuleContext& c) { return Q(RelationName(Rel(c))); }

}  // namespace strata::lint::rules
