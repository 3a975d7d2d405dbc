// The one list of lint rules.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "lint/rule.h"

namespace strata::lint {

// Every rule, in documentation order. Built once; thread-safe.
const std::vector<std::unique_ptr<Rule>>& AllRules();
// The rule with this id, or null.
const Rule* FindRule(std::string_view id);

// Findings the linter itself reports (not Rule objects, but listed, documented and
// configurable like rules).
const RuleInfo& SyntaxErrorInfo();    // "syntax-error"
const RuleInfo& InvalidIgnoreInfo();  // "invalid-ignore"
// Rule infos of AllRules() plus the two above.
std::vector<const RuleInfo*> AllRuleInfos();
const RuleInfo* FindRuleInfo(std::string_view id);

}  // namespace strata::lint
