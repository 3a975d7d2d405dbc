#include "lint/statement_report.h"

#include <algorithm>

#include "lint/ast_util.h"
#include "sql/pg_parse.h"

namespace strata::lint {
namespace {

int LineAt(std::string_view text, int offset) {
  offset = std::clamp(offset, 0, static_cast<int>(text.size()));
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
}

void AddStatement(ScriptReport& out, std::string_view sql, int first_line, const pg::Span& span,
                  const pg::Node* root, int pg_major) {
  StatementReport r;
  r.text = std::string(sql.substr(span.offset, span.length));
  r.line = first_line - 1 + LineAt(sql, span.offset);
  if (root != nullptr) {
    r.parsed = true;
    r.facts = ComputeFacts(*root, pg_major);
    if (root->Is("CreateStmt")) {
      r.created_tables.push_back(RelationName(root->Child("relation")));
    } else if (root->Is("CreateTableAsStmt") && root->Child("into") != nullptr) {
      r.created_tables.push_back(RelationName(root->Child("into")->Child("rel")));
    }
  }
  out.statements.push_back(std::move(r));
}

}  // namespace

ScriptReport ReportStatements(std::string_view sql, std::string_view file, int first_line,
                              bool in_transaction, const LintOptions& options) {
  ScriptReport out;
  auto parsed = pg::ParseScript(sql);
  if (parsed) {
    for (const pg::ParsedStatement& s : parsed->statements) {
      AddStatement(out, sql, first_line, s.span, s.root, options.pg_major);
    }
  } else if (auto spans = pg::SplitScript(sql)) {
    for (const pg::Span& span : *spans) {
      auto one = pg::ParseScript(sql.substr(span.offset, span.length), span.offset);
      if (!one || one->statements.empty()) {
        AddStatement(out, sql, first_line, span, nullptr, options.pg_major);
        continue;
      }
      for (const pg::ParsedStatement& s : one->statements) {
        AddStatement(out, sql, first_line, s.span, s.root, options.pg_major);
      }
    }
  }
  // Each finding goes to the last statement starting on or before its line.
  for (Finding& f : LintSql(sql, file, first_line, in_transaction, options)) {
    StatementReport* owner = nullptr;
    for (StatementReport& s : out.statements) {
      if (s.line <= f.line) owner = &s;
    }
    (owner != nullptr ? owner->findings : out.other_findings).push_back(std::move(f));
  }
  return out;
}

}  // namespace strata::lint
