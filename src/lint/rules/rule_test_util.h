// Test helpers for the per-rule tests: lint a snippet and keep one rule's findings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lint/linter.h"

namespace strata::lint::testing {

struct Snippet {
  bool in_transaction = false;  // as a strata migration (one transaction)
  int pg_major = 15;
};

// The findings of `rule` when linting `sql` as a plain file (or a transactional migration).
inline std::vector<Finding> Hits(std::string_view rule, std::string_view sql, Snippet s = {}) {
  LintOptions options;
  options.pg_major = s.pg_major;
  std::vector<Finding> all = LintSql(sql, "test.sql", 1, s.in_transaction, options);
  std::vector<Finding> out;
  for (Finding& f : all) {
    if (f.rule == rule) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace strata::lint::testing
