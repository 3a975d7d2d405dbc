#include "lint/lint_command.h"

namespace strata::lint {

Result<LintCommandResult> RunLintCommand(const LintCommand& command) {
  LintCommandResult result;
  if (command.list_rules) {
    result.output = command.format == Format::kJson ? ListRulesJson() : ListRulesText();
    return result;
  }
  if (!command.explain.empty()) {
    std::optional<std::string> text = ExplainRule(command.explain);
    if (!text) {
      return MakeError(ErrorKind::kUsage, "unknown lint rule \"" + command.explain +
                                              "\" (strata lint --list-rules shows them)");
    }
    result.output = *text;
    return result;
  }
  TRY_VOID(ValidateOptions(command.options));
  if (command.paths.empty()) return MakeError(ErrorKind::kUsage, "strata lint: no path to lint");
  ASSIGN_OR_RETURN(result.findings, LintPaths(command.paths, command.options, &result.stats));
  ReportOptions report;
  report.color = command.color;
  report.tool_version = command.tool_version;
  report.files = result.stats.files;
  report.statements = result.stats.statements;
  result.output = FormatFindings(command.format, result.findings, report);
  result.exit_code = AnyAtOrAbove(result.findings, command.fail_on) ? 1 : 0;
  return result;
}

}  // namespace strata::lint
