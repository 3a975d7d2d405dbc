#include "sql/pg_parse.h"

#include <pg_query.h>

#include <string>

namespace strata::pg {
namespace {

// Skips white space and comments at the start of [begin, end); returns the new begin.
int SkipLeadingNoise(std::string_view s, int begin, int end) {
  int i = begin;
  while (i < end) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '-' && i + 1 < end && s[i + 1] == '-') {
      while (i < end && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < end && s[i + 1] == '*') {
      int depth = 1;
      i += 2;
      while (i < end && depth > 0) {
        if (s[i] == '/' && i + 1 < end && s[i + 1] == '*') { ++depth; i += 2; }
        else if (s[i] == '*' && i + 1 < end && s[i + 1] == '/') { --depth; i += 2; }
        else ++i;
      }
    } else {
      break;
    }
  }
  return i;
}

}  // namespace

Result<std::vector<Span>> SplitScript(std::string_view script) {
  std::string text(script);  // libpg_query needs a NUL-terminated string
  PgQuerySplitResult r = pg_query_split_with_scanner(text.c_str());
  if (r.error != nullptr) {
    Error e;
    e.kind = ErrorKind::kInput;
    e.message = r.error->message ? r.error->message : "cannot split SQL";
    if (r.error->cursorpos > 0) {
      int pos = r.error->cursorpos - 1;
      int line = 1;
      for (int i = 0; i < pos && i < static_cast<int>(text.size()); ++i) line += text[i] == '\n';
      e.line = line;
    }
    pg_query_free_split_result(r);
    return std::unexpected(std::move(e));
  }
  std::vector<Span> spans;
  spans.reserve(r.n_stmts);
  for (int i = 0; i < r.n_stmts; ++i) {
    int begin = r.stmts[i]->stmt_location;
    int end = begin + r.stmts[i]->stmt_len;
    int trimmed = SkipLeadingNoise(text, begin, end);
    // Trailing white space is not part of the statement either.
    while (end > trimmed && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\t' ||
                             text[end - 1] == '\r'))
      --end;
    if (end <= trimmed) continue;
    spans.push_back(Span{trimmed, end - trimmed});
  }
  pg_query_free_split_result(r);
  return spans;
}

}  // namespace strata::pg
