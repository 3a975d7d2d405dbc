// Everything `strata lint` does, minus printing: the CLI parses its flags into a LintCommand,
// calls RunLintCommand, writes `output` to stdout and exits with `exit_code`.
#pragma once

#include <string>
#include <vector>

#include "lint/finding.h"
#include "lint/linter.h"
#include "lint/report.h"
#include "util/error.h"

namespace strata::lint {

struct LintCommand {
  std::vector<std::string> paths;     // files, folders, "-" for stdin
  Format format = Format::kText;      // --format text|json|sarif|github (--json: kJson)
  Severity fail_on = Severity::kWarning;  // --fail-on
  LintOptions options;                // --pg-version, --rule ID=LEVEL, --assume-in-transaction
  bool color = false;                 // text only; the CLI decides (isatty, --no-color)
  bool list_rules = false;            // --list-rules (json when format is kJson)
  std::string explain;                // --explain ID
  std::string tool_version = "0.1.0";
};

struct LintCommandResult {
  std::string output;   // the whole stdout text
  int exit_code = 0;    // 0 clean, 1 findings at or above fail_on
  std::vector<Finding> findings;
  LintStats stats;
};

// Runs the command. Errors (kUsage: unknown rule/severity/version/explain id; kIo: unreadable
// path) are returned for the CLI to print and map to exit code 2.
Result<LintCommandResult> RunLintCommand(const LintCommand& command);

}  // namespace strata::lint
