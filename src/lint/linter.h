// strata's PostgreSQL migration linter: lints SQL text, migration files and folders, and
// returns findings (rules in rule_registry.cc, facts in statement_facts.h). No printing:
// formatting lives in report.h.
//
// Transactions: a strata migration file (one with a `-- +strata up` section) runs in one
// transaction unless it says `-- strata:no-transaction`; a plain .sql file runs statement by
// statement unless LintOptions::assume_in_transaction, and BEGIN … COMMIT inside any file opens
// a transaction block. Suppression: `-- strata:ignore RULE[,RULE] reason` on the line before a
// statement or at the end of its line; `-- strata:ignore-file RULE reason` for the whole file.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lint/finding.h"
#include "util/error.h"

namespace strata::lint {

struct LintOptions {
  // Target PostgreSQL major version (10 … 18): facts and rules follow its behaviour.
  int pg_major = 15;
  // Per-rule severity (rule id -> severity) and rules turned off.
  std::map<std::string, Severity, std::less<>> severity_overrides;
  std::set<std::string, std::less<>> disabled;
  // Plain .sql files (no `-- +strata up` section) run as one transaction.
  bool assume_in_transaction = false;
  // The migration runner sets lock_timeout / statement_timeout itself (strata apply does):
  // require-lock-timeout / require-statement-timeout then stay quiet.
  bool runner_sets_lock_timeout = false;
  bool runner_sets_statement_timeout = false;
  // The file name findings use for standard input (path "-").
  std::string stdin_name = "<stdin>";
};

// Applies one rule setting of the form "RULE=error|warning|info|off" (as given to
// `--rule`); kUsage for an unknown rule or level.
Result<void> ApplyRuleSetting(LintOptions& options, std::string_view setting);
// kUsage when the options name unknown rules or an unsupported PostgreSQL version.
Result<void> ValidateOptions(const LintOptions& options);

// Lints SQL that the caller already cut out of a migration: `sql` is the up script, `file` the
// name to report, `first_line` the 1-based line of the file where `sql` starts, and
// `in_transaction` whether the runner wraps it in one transaction. Never fails: unparseable SQL
// becomes "syntax-error" findings. Findings are in source order. Thread-safe.
std::vector<Finding> LintSql(std::string_view sql, std::string_view file, int first_line,
                             bool in_transaction, const LintOptions& options);

// Lints the text of one file: a strata migration (only its up section, with the file's line
// numbers; transactional unless `-- strata:no-transaction`) or a plain SQL script.
std::vector<Finding> LintFileText(std::string_view contents, std::string_view file,
                                  const LintOptions& options);

struct LintStats {
  int files = 0;
  int statements = 0;
};

// Lints files and folders: a folder is searched recursively for *.sql (down.sql and
// verify.sql of folder migrations are skipped; an up.sql next to a strata.yaml saying
// `no_transaction: true` is not transactional), in sorted order; "-" reads standard input.
// kIo when a path cannot be read. `stats` may be null.
Result<std::vector<Finding>> LintPaths(const std::vector<std::string>& paths,
                                       const LintOptions& options, LintStats* stats = nullptr);

}  // namespace strata::lint
