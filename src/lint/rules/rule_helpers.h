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

// Calls f(column_def) for every column the statement declares: the columns of CREATE TABLE and
// those of ALTER TABLE … ADD COLUMN.
template <class F>
void ForEachDeclaredColumn(const RuleContext& c, F&& f) {
  const pg::Node& s = c.stmt();
  if (s.Is("CreateStmt")) {
    for (const pg::Node* e : s.List("tableElts")) {
      if (e->Is("ColumnDef")) f(*e);
    }
  }
  for (const pg::Node* cmd : AlterCmds(c)) {
    if (cmd->Str("subtype") == "AT_AddColumn" && cmd->Child("def")) f(*cmd->Child("def"));
  }
}

// Calls f(constraint) for every constraint of `contype` (e.g. "CONSTR_UNIQUE") that the ALTER
// TABLE adds by building a new index: ADD CONSTRAINT without USING INDEX, or inline in ADD COLUMN.
template <class F>
void ForEachConstraintBuildingAnIndex(const RuleContext& c, std::string_view contype, F&& f) {
  for (const pg::Node* cmd : AlterCmds(c)) {
    const pg::Node* def = cmd->Child("def");
    if (def == nullptr) continue;
    if (cmd->Str("subtype") == "AT_AddConstraint" && def->Str("contype") == contype && def->Str("indexname").empty()) {
      f(def);
    } else if (cmd->Str("subtype") == "AT_AddColumn") {
      if (const pg::Node* con = ColumnConstraint(*def, contype)) f(con);
    }
  }
}

}  // namespace strata::lint::rules
