// What the linter reports: one finding per problem, with where it is and how to fix it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::lint {

enum class Severity { kInfo = 0, kWarning = 1, kError = 2 };

// "error", "warning", "info".
std::string_view SeverityName(Severity s);
// Parses "error" / "warning" / "info" (case-insensitive); nullopt otherwise.
std::optional<Severity> ParseSeverity(std::string_view text);

struct Finding {
  std::string rule;          // rule id, kebab-case, e.g. "require-concurrent-index"
  Severity severity = Severity::kWarning;
  std::string file;          // as given by the caller ("-" or "<stdin>" for standard input)
  int line = 1;              // 1-based, in the original file
  int column = 1;            // 1-based, in characters, of the offending token (else the statement)
  int length = 1;            // characters to underline from column (at least 1)
  std::string message;       // what is wrong: names the lock and its effect on traffic
  std::string help;          // the safe rewrite
  std::string source_line;   // the text of line `line` (without newline), for carets
};

// True when any finding is at or above `threshold`.
bool AnyAtOrAbove(const std::vector<Finding>& findings, Severity threshold);

}  // namespace strata::lint
