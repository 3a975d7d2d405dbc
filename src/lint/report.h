// Turning findings into text for people and machines, and the rule catalogue
// (`--list-rules`, `--explain`, docs pages). Pure functions: they return strings, the CLI
// prints them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/finding.h"
#include "lint/rule.h"

namespace strata::lint {

enum class Format { kText, kJson, kSarif, kGithub };
// "text", "json", "sarif", "github"; nullopt otherwise.
std::optional<Format> ParseFormat(std::string_view name);

struct ReportOptions {
  bool color = false;              // text: ANSI colours
  std::string tool_version = "0.1.0";
  int files = 0;                   // for the text/json summary (0: not shown)
  int statements = 0;
};

// Text: "file:line:col: severity[rule]: message", the source line with a caret under the
// offending code, "= help: …", and a summary line.
std::string FormatText(const std::vector<Finding>& findings, const ReportOptions& options);
// JSON, documented in docs/commands/lint.md:
// {"version":1,"findings":[{"rule","severity","file","line","column","end_column","message",
//  "help"}],"summary":{"files","statements","errors","warnings","infos"}}
std::string FormatJson(const std::vector<Finding>& findings, const ReportOptions& options);
// SARIF 2.1.0, one run, the rule catalogue in tool.driver.rules.
std::string FormatSarif(const std::vector<Finding>& findings, const ReportOptions& options);
// GitHub workflow commands: "::error file=…,line=…,col=…,endColumn=…,title=…::message".
std::string FormatGithub(const std::vector<Finding>& findings, const ReportOptions& options);
std::string FormatFindings(Format format, const std::vector<Finding>& findings,
                           const ReportOptions& options);

// `--list-rules`: one line per rule (id, severity, summary).
std::string ListRulesText();
// `--list-rules --json`: [{"id","severity","summary","squawk":[…],"strong_migrations":[…]}].
std::string ListRulesJson();
// `--explain ID`: the rule's documentation (Markdown), or nullopt for an unknown id.
std::optional<std::string> ExplainRule(std::string_view id);
// The page docs/rules/<id>.md for a rule (generated from the compiled text; a test keeps the
// files in step).
std::string RuleDocsPage(const RuleInfo& info);

}  // namespace strata::lint
