// Per-statement view of a script for `strata plan`: each statement's text, line, facts (locks,
// rewrite, scan) and the lint findings that point into it. Built on the public linter
// (LintSql) and ComputeFacts, so plan and lint never disagree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lint/finding.h"
#include "lint/linter.h"
#include "lint/statement_facts.h"

namespace strata::lint {

struct StatementReport {
  std::string text;        // the statement as written (no trailing semicolon)
  int line = 1;            // 1-based line in the file where it starts
  bool parsed = false;     // false: PostgreSQL's grammar refused it (facts are empty)
  StatementFacts facts;
  std::vector<std::string> created_tables;  // tables this statement creates (CREATE TABLE …)
  std::vector<Finding> findings;            // findings located in this statement, in order
};

struct ScriptReport {
  std::vector<StatementReport> statements;  // in source order
  std::vector<Finding> other_findings;      // findings before the first statement
};

// Splits and parses `sql` (a migration's up section starting at line `first_line` of `file`),
// computes the facts of each statement for options.pg_major, and attaches to each statement
// the findings LintSql reports for the whole script (so rules that look across statements
// keep working). Never fails: unparseable statements have parsed == false and carry the
// syntax-error findings. Thread-safe.
ScriptReport ReportStatements(std::string_view sql, std::string_view file, int first_line,
                              bool in_transaction, const LintOptions& options);

}  // namespace strata::lint
