#include <string>

#include "lint/report.h"
#include "lint/rule_registry.h"

namespace strata::lint {

namespace {

std::string Names(const std::vector<std::string_view>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (auto n : names) {
    if (!out.empty()) out += ", ";
    out += "`" + std::string(n) + "`";
  }
  return out;
}

}  // namespace

std::string ListRulesText() {
  std::string out;
  for (const RuleInfo* r : AllRuleInfos()) {
    std::string id(r->id);
    std::string sev(SeverityName(r->severity));
    id.resize(std::max<size_t>(id.size() + 1, 34), ' ');
    sev.resize(8, ' ');
    out += id + sev + std::string(r->summary) + "\n";
  }
  return out;
}

std::optional<std::string> ExplainRule(std::string_view id) {
  const RuleInfo* r = FindRuleInfo(id);
  if (r == nullptr) return std::nullopt;
  return RuleDocsPage(*r);
}

std::string RuleDocsPage(const RuleInfo& r) {
  std::string out;
  out += "# " + std::string(r.id) + "\n\n";
  out += std::string(r.summary) + ".\n\n";
  out += "Default severity: **" + std::string(SeverityName(r.severity)) + "**.\n\n";
  out += std::string(r.explain) + "\n\n";
  out += "## Reported\n\n```sql\n" + std::string(r.bad_example) + "\n```\n\n";
  out += "## Safe\n\n```sql\n" + std::string(r.good_example) + "\n```\n\n";
  out += "## Equivalents\n\n";
  out += "- squawk: " + Names(r.squawk) + "\n";
  out += "- strong_migrations: " + Names(r.strong_migrations) + "\n\n";
  out += "## Configure\n\n";
  out += "- suppress one statement: `-- strata:ignore " + std::string(r.id) +
         " <reason>` on the line before it (or at the end of its line); the reason is required\n";
  out += "- suppress in a whole file: `-- strata:ignore-file " + std::string(r.id) + " <reason>`\n";
  out += "- change severity or turn off: `strata lint --rule " + std::string(r.id) +
         "=warning` / `--rule " + std::string(r.id) + "=off`\n";
  out += "- target another PostgreSQL version: `strata lint --pg-version 12`\n";
  return out;
}

}  // namespace strata::lint
