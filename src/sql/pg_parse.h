// strata's one door to PostgreSQL's own grammar (libpg_query). Nothing else includes
// pg_query.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace strata::pg {

struct Span {
  int offset = 0;  // byte offset of the statement's first token in the script
  int length = 0;  // bytes up to (not including) the terminating semicolon
};

// Splits a PostgreSQL script into statements with PostgreSQL's scanner: quotes, dollar
// quotes, comments and "CREATE RULE … (a; b)" are handled. Leading comments and white space are
// trimmed from each span; empty statements are dropped. kInput with the scanner's message and
// position for unterminated quotes or comments.
Result<std::vector<Span>> SplitScript(std::string_view script);

}  // namespace strata::pg
