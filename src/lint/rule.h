// The lint rule interface. One rule per file under rules/, named like its id
// (rules/require_concurrent_index.cc for "require-concurrent-index"); every rule is listed once
// in rule_registry.cc.
#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lint/finding.h"
#include "lint/statement_facts.h"
#include "sql/pg_parse.h"

namespace strata::lint {

// Everything known about a rule without running it. All strings are static.
struct RuleInfo {
  std::string_view id;           // kebab-case, e.g. "require-concurrent-index"
  Severity severity = Severity::kWarning;  // default severity
  std::string_view summary;      // one line
  std::vector<std::string_view> squawk;             // equivalent squawk rule names
  std::vector<std::string_view> strong_migrations;  // equivalent strong_migrations checks
  // Markdown: what it catches, the lock and its effect, the safe rewrite, version notes. This
  // is the text of `strata lint --explain ID` and the body of docs/rules/ID.md.
  std::string_view explain;
  std::string_view bad_example;   // SQL the rule reports
  std::string_view good_example;  // the safe rewrite, which the rule accepts
};

// What the linter knows about the file up to the current statement.
struct LintState {
  int pg_major = 15;
  bool in_transaction = false;     // inside a transaction block (file-level or BEGIN)
  bool implicit_transaction = false;  // that block is the migration runner's, not BEGIN's
  bool lock_timeout_set = false;   // SET lock_timeout seen (or the runner sets it)
  bool statement_timeout_set = false;
  int statements_in_transaction = 0;  // before the current one
  // Tables created earlier in this file (bare names): locking them hurts nobody.
  std::set<std::string, std::less<>> created_tables;
  // "table.constraint" added NOT VALID in the current transaction.
  std::set<std::string, std::less<>> not_valid_in_transaction;
  // "table.column" with a CHECK (column IS NOT NULL) validated earlier in this file.
  std::set<std::string, std::less<>> validated_not_null;
  // "table.constraint" -> column, for CHECK (column IS NOT NULL) constraints added in this file.
  std::vector<std::pair<std::string, std::string>> not_null_checks;
  // Column types declared earlier in this file: "table.column" -> type name ("int4", …).
  std::vector<std::pair<std::string, std::string>> column_types;
  // The first ACCESS EXCLUSIVE lock on an existing table in the current transaction.
  std::string ael_table;
  int ael_line = 0;
  bool ael_reported = false;
  bool lock_timeout_reported = false;
  bool statement_timeout_reported = false;

  bool IsNewTable(std::string_view bare_name) const {
    return created_tables.find(bare_name) != created_tables.end();
  }
};

// Per statement: the tree, its facts, the file state; rules report through it.
class RuleContext {
 public:
  RuleContext(const pg::Node& stmt, const StatementFacts& facts, const LintState& state,
              int stmt_offset, std::vector<Finding>* sink)
      : stmt_(stmt), facts_(facts), state_(state), stmt_offset_(stmt_offset), sink_(sink) {
    if (stmt.Is("AlterTableStmt") && stmt.Str("objtype") == "OBJECT_TABLE") {
      alter_cmds_ = stmt.List("cmds");
    }
    relation_ = stmt.Child("relation");
  }
  // The linter builds one context per statement and runs every rule on it, collecting each
  // rule's findings in `sink` (which it empties between rules).

  const pg::Node& stmt() const { return stmt_; }
  const StatementFacts& facts() const { return facts_; }
  const LintState& state() const { return state_; }
  int pg_major() const { return state_.pg_major; }
  int stmt_offset() const { return stmt_offset_; }
  // The subcommands when the statement is ALTER TABLE (of a table), else empty.
  std::span<const pg::Node* const> alter_cmds() const { return alter_cmds_; }
  // The statement's "relation" child (looked up once per statement), or null.
  const pg::Node* relation() const { return relation_; }
  // Whether the statement's relation is a table that existed before this file (not created
  // earlier in it); false without a relation. Computed once per statement.
  bool relation_exists() const {
    if (relation_exists_ < 0) {
      relation_exists_ =
          relation_ != nullptr && !state_.IsNewTable(relation_->Str("relname")) ? 1 : 0;
    }
    return relation_exists_ != 0;
  }

  // Reports a finding of the running rule at byte `offset` of the script (-1: the statement's
  // start), underlining `length` bytes (0: one token). The linter fills in rule, severity,
  // file, line and column.
  void Report(int offset, std::string message, std::string help, int length = 0) {
    Finding f;
    f.column = offset >= 0 ? offset : stmt_offset_;  // byte offset until the linter maps it
    f.length = length;
    f.message = std::move(message);
    f.help = std::move(help);
    sink_->push_back(std::move(f));
  }

 private:
  const pg::Node& stmt_;
  const StatementFacts& facts_;
  const LintState& state_;
  int stmt_offset_;
  std::vector<Finding>* sink_;
  std::span<const pg::Node* const> alter_cmds_;
  const pg::Node* relation_ = nullptr;
  mutable signed char relation_exists_ = -1;  // -1: not computed yet
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleInfo& info() const = 0;
  // Looks at one statement; reports zero or more findings. Must not throw.
  virtual void Check(RuleContext& ctx) const = 0;
  // The statement node types the rule can report on (e.g. {"AlterTableStmt"}): the linter
  // calls Check only for statements of these types. Empty (the default): every statement.
  // The span must stay valid for the program's lifetime (a static array).
  virtual std::span<const std::string_view> statement_types() const { return {}; }
};

// Message helper shared by rules: `takes an ACCESS EXCLUSIVE lock on "users", which blocks …`.
std::string LockPhrase(std::string_view table, LockMode mode);

}  // namespace strata::lint
