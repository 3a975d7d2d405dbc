#include "lint/linter.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "lint/ast_util.h"
#include "lint/rule.h"
#include "lint/rule_registry.h"
#include "lint/statement_facts.h"
#include "sql/pg_parse.h"

namespace strata::lint {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "info";
  }
  return "warning";
}

std::optional<Severity> ParseSeverity(std::string_view text) {
  std::string t = Lower(text);
  if (t == "error") return Severity::kError;
  if (t == "warning" || t == "warn") return Severity::kWarning;
  if (t == "info" || t == "note") return Severity::kInfo;
  return std::nullopt;
}

bool AnyAtOrAbove(const std::vector<Finding>& findings, Severity threshold) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
    return static_cast<int>(f.severity) >= static_cast<int>(threshold);
  });
}

std::string LockPhrase(std::string_view table, LockMode mode) {
  // One allocation: rules call this for most findings.
  bool quote = !table.empty() && table.front() != '"' && table.find(' ') == std::string_view::npos;
  std::string_view m = LockModeName(mode);
  bool an = !m.empty() && (m[0] == 'A' || m[0] == 'E');
  std::string_view effect = LockEffect(mode);
  std::string out;
  out.reserve(6 + 3 + m.size() + 9 + table.size() + 2 + 8 + effect.size());
  out += "takes ";
  out += an ? "an " : "a ";
  out += m;
  out += " lock on ";
  if (quote) out += '"';
  out += table;
  if (quote) out += '"';
  out += ", which ";
  out += effect;
  return out;
}

Result<void> ApplyRuleSetting(LintOptions& options, std::string_view setting) {
  size_t eq = setting.find('=');
  if (eq == std::string_view::npos) {
    return MakeError(ErrorKind::kUsage, "rule setting \"" + std::string(setting) +
                                            "\" is not RULE=error|warning|info|off");
  }
  std::string id(setting.substr(0, eq));
  std::string level = Lower(setting.substr(eq + 1));
  if (FindRuleInfo(id) == nullptr) {
    return MakeError(ErrorKind::kUsage, "unknown lint rule \"" + id +
                                            "\" (strata lint --list-rules shows them)");
  }
  if (level == "off" || level == "disable" || level == "disabled") {
    options.disabled.insert(id);
    return {};
  }
  std::optional<Severity> s = ParseSeverity(level);
  if (!s) {
    return MakeError(ErrorKind::kUsage,
                     "unknown severity \"" + level + "\" for " + id + " (error, warning, info, off)");
  }
  options.disabled.erase(id);
  options.severity_overrides[id] = *s;
  return {};
}

Result<void> ValidateOptions(const LintOptions& options) {
  if (options.pg_major < 10 || options.pg_major > 18) {
    return MakeError(ErrorKind::kUsage, "PostgreSQL version " + std::to_string(options.pg_major) +
                                            " is not supported by the linter (10 to 18)");
  }
  for (const auto& [id, _] : options.severity_overrides) {
    if (FindRuleInfo(id) == nullptr) return MakeError(ErrorKind::kUsage, "unknown lint rule \"" + id + "\"");
  }
  for (const auto& id : options.disabled) {
    if (FindRuleInfo(id) == nullptr) return MakeError(ErrorKind::kUsage, "unknown lint rule \"" + id + "\"");
  }
  return {};
}

namespace {

// Byte offsets -> 1-based lines and character columns.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : text_(text) {
    starts_.reserve(64);
    starts_.push_back(0);
    const char* begin = text.data();
    const char* end = begin + text.size();
    for (const char* p = begin; p < end;) {
      const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
      if (nl == nullptr) break;
      p = static_cast<const char*>(nl) + 1;
      starts_.push_back(static_cast<int>(p - begin));
    }
  }
  int LineOf(int offset) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    return static_cast<int>(it - starts_.begin());
  }
  int LineStart(int line) const { return starts_[line - 1]; }
  int LineEnd(int line) const {
    return line < static_cast<int>(starts_.size()) ? starts_[line] - 1
                                                   : static_cast<int>(text_.size());
  }
  // Characters (UTF-8 code points) between two byte offsets.
  int Chars(int from, int to) const {
    int n = 0;
    for (int i = from; i < to && i < static_cast<int>(text_.size()); ++i) {
      n += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80;
    }
    return n;
  }
  std::string_view Line(int line) const {
    int s = LineStart(line), e = LineEnd(line);
    if (e > s && text_[e - 1] == '\r') --e;
    return text_.substr(s, std::max(0, e - s));
  }

 private:
  std::string_view text_;
  std::vector<int> starts_;
};

struct Suppression {
  std::vector<std::string> rules;
  int statement = -1;  // index of the statement it applies to; -1 with file_wide
  bool file_wide = false;
};

struct StatementRef {
  pg::Span span;
  const pg::Node* root = nullptr;  // null: the statement did not parse
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (IsSpace(s.front()) || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (IsSpace(s.back()) || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

int TokenLength(std::string_view text, int offset) {
  int i = offset;
  int n = static_cast<int>(text.size());
  if (i >= n) return 1;
  if (text[i] == '"') {
    ++i;
    while (i < n && text[i] != '"' && text[i] != '\n') ++i;
    return i - offset + 1;
  }
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || c == '.' || (static_cast<unsigned char>(c) >= 0x80);
  };
  while (i < n && word(text[i])) ++i;
  return std::max(1, i - offset);
}

// A whole-table scan-free check: is `expr` "col IS NOT NULL"? Returns the column or "".
std::string NotNullCheckColumn(const pg::Node* expr) {
  if (expr == nullptr || !expr->Is("NullTest") || expr->Str("nulltesttype") != "IS_NOT_NULL") {
    return "";
  }
  const pg::Node* arg = expr->Child("arg");
  if (arg == nullptr || !arg->Is("ColumnRef")) return "";
  auto fields = arg->List("fields");
  return fields.empty() ? "" : std::string(fields.back()->Str("sval"));
}

bool VariableIsNonZero(const pg::Node& set) {
  auto args = set.List("args");
  if (args.empty()) return false;
  std::string v = args.front()->ScalarText();
  std::string_view t = Trim(v);
  return !(t.empty() || t == "0" || t == "0s" || t == "0ms");
}

class ScriptLinter {
 public:
  ScriptLinter(std::string_view text, std::string_view file, int line_offset,
               bool in_transaction, const LintOptions& options)
      : text_(text), file_(file), line_offset_(line_offset), file_transaction_(in_transaction),
        options_(options), lines_(text) {}

  std::vector<Finding> Run(int* statement_count) {
    if (!Parse()) {
      Finish();
      return std::move(out_);
    }
    if (statement_count != nullptr) *statement_count = static_cast<int>(statements_.size());
    FindSuppressions();
    state_.pg_major = options_.pg_major;
    state_.in_transaction = file_transaction_;
    state_.implicit_transaction = file_transaction_;
    state_.lock_timeout_set = options_.runner_sets_lock_timeout;
    state_.statement_timeout_set = options_.runner_sets_statement_timeout;
    for (size_t i = 0; i < statements_.size(); ++i) LintStatement(static_cast<int>(i));
    Finish();
    return std::move(out_);
  }

 private:
  bool Parse() {
    auto parsed = pg::ParseScript(text_);
    if (parsed) {
      for (const pg::ParsedStatement& s : parsed->statements) {
        statements_.push_back(StatementRef{s.span, s.root});
      }
      scripts_.push_back(std::move(*parsed));
      return true;
    }
    // Locate every bad statement: split with the scanner, parse one by one.
    auto spans = pg::SplitScript(text_);
    if (!spans) {
      int offset = parsed.error().offset;
      AddSyntaxError(spans.error().message, offset >= 0 ? offset : 0);
      return false;
    }
    for (const pg::Span& span : *spans) {
      auto one = pg::ParseScript(text_.substr(span.offset, span.length), span.offset);
      if (!one) {
        int at = one.error().offset >= 0 ? span.offset + one.error().offset : span.offset;
        AddSyntaxError(one.error().message, at);
        statements_.push_back(StatementRef{span, nullptr});
        continue;
      }
      for (const pg::ParsedStatement& s : one->statements) {
        statements_.push_back(StatementRef{s.span, s.root});
      }
      scripts_.push_back(std::move(*one));
    }
    return true;
  }

  void AddSyntaxError(std::string message, int offset) {
    if (options_.disabled.contains("syntax-error")) return;
    Finding f;
    f.rule = "syntax-error";
    f.message = "PostgreSQL cannot parse this statement: " + message;
    f.help = "fix the SQL; strata lints with PostgreSQL 15's own grammar";
    f.column = offset;
    f.length = TokenLength(text_, offset);
    Place(f, -1);
    f.severity = SeverityFor(SyntaxErrorInfo());
    out_.push_back(std::move(f));
  }

  Severity SeverityFor(const RuleInfo& info) const {
    auto it = options_.severity_overrides.find(info.id);
    return it != options_.severity_overrides.end() ? it->second : info.severity;
  }

  // Converts f.column (a byte offset) into line/column and fills the source line. For
  // statement-level findings (offset == statement start, no length) the caret spans the
  // statement's first line.
  void Place(Finding& f, int stmt_index) {
    int offset = std::clamp(f.column, 0, static_cast<int>(text_.size()));
    int line = lines_.LineOf(offset);
    int line_start = lines_.LineStart(line);
    int line_end = lines_.LineEnd(line);
    int length = f.length;
    if (length <= 0) {
      bool at_statement = stmt_index >= 0 && statements_[stmt_index].span.offset == offset;
      if (at_statement) {
        int stmt_end = offset + statements_[stmt_index].span.length;
        length = std::min(stmt_end, line_end) - offset;
      } else {
        length = TokenLength(text_, offset);
      }
    }
    int end = std::min(offset + std::max(1, length), std::max(line_end, offset + 1));
    f.line = line + line_offset_;
    f.column = 1 + lines_.Chars(line_start, offset);
    f.length = std::max(1, lines_.Chars(offset, end));
    f.file = std::string(file_);
    f.source_line = std::string(lines_.Line(line));
  }

  void FindSuppressions() {
    size_t pos = 0;
    while ((pos = text_.find("strata:ignore", pos)) != std::string_view::npos) {
      size_t at = pos;
      pos += 13;
      // Must be inside a -- comment on this line.
      size_t line_start = text_.rfind('\n', at);
      line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
      std::string_view before = text_.substr(line_start, at - line_start);
      size_t dash = before.find("--");
      if (dash == std::string_view::npos) continue;
      if (!Trim(before.substr(dash + 2)).empty()) continue;  // "-- strata:ignore" only
      bool own_line = Trim(before.substr(0, dash)).empty();
      size_t line_end = text_.find('\n', at);
      if (line_end == std::string_view::npos) line_end = text_.size();
      std::string_view rest = text_.substr(pos, line_end - pos);
      bool file_wide = rest.starts_with("-file");
      if (file_wide) rest.remove_prefix(5);
      if (!rest.empty() && !IsSpace(rest.front())) continue;  // e.g. strata:ignored
      rest = Trim(rest);
      size_t sp = rest.find_first_of(" \t");
      std::string_view ids = rest.substr(0, sp);
      std::string_view reason = sp == std::string_view::npos ? "" : Trim(rest.substr(sp));
      int comment_offset = static_cast<int>(line_start + dash);
      Suppression s;
      s.file_wide = file_wide;
      bool bad = false;
      if (ids.empty()) {
        Invalid(comment_offset, "-- strata:ignore names no rule",
                "write -- strata:ignore RULE reason");
        continue;
      }
      while (!ids.empty()) {
        size_t comma = ids.find(',');
        std::string id(Trim(ids.substr(0, comma)));
        ids = comma == std::string_view::npos ? "" : ids.substr(comma + 1);
        if (id.empty()) continue;
        if (FindRuleInfo(id) == nullptr) {
          Invalid(comment_offset, "-- strata:ignore names the unknown rule \"" + id + "\"",
                  "use a rule id from strata lint --list-rules");
          continue;
        }
        s.rules.push_back(std::move(id));
      }
      if (reason.empty()) {
        Invalid(comment_offset,
                "-- strata:ignore without a reason is not applied: say why the risk is "
                "acceptable",
                "write -- strata:ignore RULE reason, e.g. \"-- strata:ignore ban-drop-column "
                "column unused since release 42\"");
        bad = true;
      }
      if (bad || s.rules.empty()) continue;
      if (!file_wide) {
        s.statement = -1;
        for (size_t i = 0; i < statements_.size(); ++i) {
          const pg::Span& sp2 = statements_[i].span;
          if (own_line) {
            if (sp2.offset > comment_offset) { s.statement = static_cast<int>(i); break; }
          } else if (sp2.offset < comment_offset) {
            s.statement = static_cast<int>(i);  // the last statement starting before it
          }
        }
        if (s.statement < 0) continue;
      }
      suppressions_.push_back(std::move(s));
    }
  }

  void Invalid(int offset, std::string message, std::string help) {
    if (options_.disabled.contains("invalid-ignore")) return;
    Finding f;
    f.rule = "invalid-ignore";
    f.message = std::move(message);
    f.help = std::move(help);
    f.column = offset;
    f.length = 0;
    Place(f, -1);
    f.length = std::max(1, static_cast<int>(f.source_line.size()) - (f.column - 1));
    f.severity = SeverityFor(InvalidIgnoreInfo());
    out_.push_back(std::move(f));
  }

  bool Suppressed(std::string_view rule, int stmt) const {
    for (const Suppression& s : suppressions_) {
      if (!s.file_wide && s.statement != stmt) continue;
      if (std::find(s.rules.begin(), s.rules.end(), rule) != s.rules.end()) return true;
    }
    return false;
  }

  void LintStatement(int index) {
    const StatementRef& ref = statements_[index];
    if (ref.root == nullptr) {
      // Unparseable: its effects are unknown; a transaction state change is still likely.
      return;
    }
    const pg::Node& stmt = *ref.root;
    StatementFacts facts = ComputeFacts(stmt, options_.pg_major);
    // One context for all rules: the statement's ALTER TABLE subcommands are looked up once.
    raw_.clear();
    RuleContext ctx(stmt, facts, state_, ref.span.offset, &raw_);
    if (!resolved_) ResolveRules();
    for (const ActiveRule* rp : RulesFor(stmt)) {
      const ActiveRule& r = *rp;
      r.rule->Check(ctx);
      if (raw_.empty()) continue;
      for (Finding& f : raw_) {
        if (r.marks != nullptr) state_.*r.marks = true;
        if (!suppressions_.empty() && Suppressed(r.info->id, index)) continue;
        f.rule = std::string(r.info->id);
        f.severity = r.severity;
        Place(f, index);
        out_.push_back(std::move(f));
      }
      raw_.clear();
    }
    UpdateState(stmt, facts, ref);
  }

  // The enabled rules with their severity and info, resolved once per script instead of once
  // per statement and rule.
  struct ActiveRule {
    const Rule* rule;
    const RuleInfo* info;
    Severity severity;
    bool LintState::*marks;  // the state flag a finding of this rule sets, or null
    const std::vector<pg::Node::Name>* types;  // statement types it inspects; empty: all
  };

  // The rules to run on statements of one node type, in registry order (the order findings
  // of one place keep): the rules declaring that type plus the rules for every statement.
  struct Dispatch {
    std::string_view type;
    std::vector<const ActiveRule*> rules;
  };

  const std::vector<const ActiveRule*>& RulesFor(const pg::Node& stmt) {
    std::string_view type = stmt.type();
    for (const Dispatch& d : dispatch_) {
      if (d.type == type) return d.rules;
    }
    Dispatch d;
    d.type = type;
    for (const ActiveRule& r : active_) {
      bool runs = r.types->empty();
      for (const pg::Node::Name& t : *r.types) runs = runs || stmt.Is(t);
      if (runs) d.rules.push_back(&r);
    }
    dispatch_.push_back(std::move(d));
    return dispatch_.back().rules;
  }

  // Each registered rule's statement types as names with their keys, built once.
  static const std::vector<std::vector<pg::Node::Name>>& RuleTypeNames() {
    static const std::vector<std::vector<pg::Node::Name>> kNames = [] {
      std::vector<std::vector<pg::Node::Name>> v;
      for (const auto& rule : AllRules()) {
        std::vector<pg::Node::Name> names;
        for (std::string_view t : rule->statement_types()) names.emplace_back(t);
        v.push_back(std::move(names));
      }
      return v;
    }();
    return kNames;
  }

  void ResolveRules() {
    resolved_ = true;
    const auto& rules = AllRules();
    const auto& type_names = RuleTypeNames();
    active_.reserve(rules.size());
    out_.reserve(statements_.size());
    for (size_t i = 0; i < rules.size(); ++i) {
      const auto& rule = rules[i];
      const RuleInfo& info = rule->info();
      if (!options_.disabled.empty() && options_.disabled.contains(info.id)) continue;
      bool LintState::*marks = nullptr;
      if (info.id == "statement-after-access-exclusive") marks = &LintState::ael_reported;
      if (info.id == "require-lock-timeout") marks = &LintState::lock_timeout_reported;
      if (info.id == "require-statement-timeout") marks = &LintState::statement_timeout_reported;
      active_.push_back(ActiveRule{rule.get(), &info, SeverityFor(info), marks, &type_names[i]});
    }
  }

  void EndTransaction() {
    state_.not_valid_in_transaction.clear();
    state_.ael_table.clear();
    state_.ael_line = 0;
    state_.ael_reported = false;
    state_.statements_in_transaction = 0;
  }

  void UpdateState(const pg::Node& stmt, const StatementFacts& facts, const StatementRef& ref) {
    std::string_view type = stmt.type();
    if (type == "TransactionStmt") {
      std::string_view kind = stmt.Str("kind");
      if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
        if (!state_.in_transaction) EndTransaction();
        state_.in_transaction = true;
        state_.implicit_transaction = false;
      } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" ||
                 kind == "TRANS_STMT_COMMIT_PREPARED" || kind == "TRANS_STMT_PREPARE") {
        state_.in_transaction = false;
        state_.implicit_transaction = false;
        EndTransaction();
      }
      return;
    }
    if (type == "VariableSetStmt") {
      std::string name = Lower(stmt.Str("name"));
      bool reset = stmt.Str("kind") == "VAR_RESET" || stmt.Str("kind") == "VAR_RESET_ALL";
      bool on = !reset && VariableIsNonZero(stmt);
      if (name == "lock_timeout" || (reset && name.empty())) {
        state_.lock_timeout_set = on || options_.runner_sets_lock_timeout;
      }
      if (name == "statement_timeout" || (reset && name.empty())) {
        state_.statement_timeout_set = on || options_.runner_sets_statement_timeout;
      }
    }
    if (type == "CreateStmt") {
      const pg::Node* rel = stmt.Child("relation");
      std::string table(BareName(rel));
      state_.created_tables.insert(table);
      for (const pg::Node* e : stmt.List("tableElts")) {
        if (e->Is("ColumnDef")) {
          state_.column_types.emplace_back(table + "." + std::string(e->Str("colname")),
                                           std::string(TypeNameLast(e->Child("typeName"))));
        }
      }
    } else if (type == "CreateTableAsStmt") {
      const pg::Node* into = stmt.Child("into");
      if (into != nullptr) state_.created_tables.insert(std::string(BareName(into->Child("rel"))));
    } else if (type == "AlterTableStmt") {
      std::string table(BareName(stmt.Child("relation")));
      for (const pg::Node* cmd : stmt.List("cmds")) {
        std::string_view sub = cmd->Str("subtype");
        const pg::Node* def = cmd->Child("def");
        if (sub == "AT_AddConstraint" && def != nullptr) {
          std::string key = table + "." + std::string(def->Str("conname"));
          if (def->Bool("skip_validation") && state_.in_transaction) {
            state_.not_valid_in_transaction.insert(key);
          }
          if (def->Str("contype") == "CONSTR_CHECK") {
            std::string col = NotNullCheckColumn(def->Child("raw_expr"));
            if (!col.empty()) {
              state_.not_null_checks.emplace_back(key, col);
              if (!def->Bool("skip_validation")) {
                state_.validated_not_null.insert(table + "." + col);
              }
            }
          }
        } else if (sub == "AT_ValidateConstraint") {
          std::string key = table + "." + std::string(cmd->Str("name"));
          for (const auto& [k, col] : state_.not_null_checks) {
            if (k == key) state_.validated_not_null.insert(table + "." + col);
          }
        } else if (sub == "AT_AddColumn" && def != nullptr) {
          state_.column_types.emplace_back(table + "." + std::string(def->Str("colname")),
                                           std::string(TypeNameLast(def->Child("typeName"))));
        }
      }
    } else if (type == "RenameStmt" && stmt.Str("renameType") == "OBJECT_TABLE") {
      if (state_.IsNewTable(BareName(stmt.Child("relation")))) {
        state_.created_tables.insert(std::string(stmt.Str("newname")));
      }
    }
    if (state_.in_transaction) {
      ++state_.statements_in_transaction;
      if (state_.ael_table.empty()) {
        for (const TableLock& l : facts.locks) {
          std::string_view bare = l.table;
          if (auto dot = bare.rfind('.'); dot != std::string_view::npos) bare = bare.substr(dot + 1);
          if (l.mode == LockMode::kAccessExclusive && !state_.IsNewTable(bare) &&
              l.role != "index") {
            state_.ael_table = l.table;
            state_.ael_line = lines_.LineOf(ref.span.offset) + line_offset_;
            break;
          }
        }
      }
    } else {
      EndTransaction();
    }
  }

  void Finish() {
    auto before = [](const Finding& a, const Finding& b) {
      return a.line != b.line ? a.line < b.line : a.column < b.column;
    };
    // Findings come statement by statement, mostly in order already.
    if (std::is_sorted(out_.begin(), out_.end(), before)) return;
    std::stable_sort(out_.begin(), out_.end(), [](const Finding& a, const Finding& b) {
      return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
  }

  std::string_view text_;
  std::string_view file_;
  int line_offset_;
  bool file_transaction_;
  const LintOptions& options_;
  LineIndex lines_;
  std::vector<pg::ParsedScript> scripts_;
  std::vector<StatementRef> statements_;
  std::vector<Suppression> suppressions_;
  LintState state_;
  std::vector<ActiveRule> active_;
  bool resolved_ = false;
  std::vector<Dispatch> dispatch_;  // per statement type seen in this script
  std::vector<Finding> raw_;  // the running rule's findings, before placing
  std::vector<Finding> out_;
};

std::vector<Finding> LintScript(std::string_view text, std::string_view file, int line_offset,
                                bool in_transaction, const LintOptions& options,
                                int* statements) {
  ScriptLinter linter(text, file, line_offset, in_transaction, options);
  return linter.Run(statements);
}

// Directive lines of strata migration files.
bool IsDirective(std::string_view line, std::string_view directive) {
  line = Trim(line);
  if (!line.starts_with("--")) return false;
  line = Trim(line.substr(2));
  return line.starts_with(directive);
}

std::vector<Finding> LintFileTextCounted(std::string_view contents, std::string_view file,
                                         const LintOptions& options, bool default_transaction,
                                         int* statements) {
  // Find sections; blank every line outside the up section so offsets and lines stay those of
  // the file.
  bool has_sections = false;
  bool no_transaction = false;
  std::string blanked(contents);
  enum { kPreamble, kUp, kOther } section = kPreamble;
  size_t pos = 0;
  while (pos <= contents.size()) {
    size_t end = contents.find('\n', pos);
    if (end == std::string_view::npos) end = contents.size();
    std::string_view line = contents.substr(pos, end - pos);
    std::string_view t = Trim(line);
    if (t.starts_with("--") && Trim(t.substr(2)).starts_with("+strata")) {
      std::string_view which = Trim(Trim(t.substr(2)).substr(7));
      has_sections = true;
      section = which.starts_with("up") ? kUp : kOther;
      std::fill(blanked.begin() + pos, blanked.begin() + end, ' ');
    } else if (IsDirective(line, "strata:no-transaction")) {
      no_transaction = true;
    }
    if (section == kOther) std::fill(blanked.begin() + pos, blanked.begin() + end, ' ');
    pos = end + 1;
  }
  bool in_transaction = has_sections ? !no_transaction : (default_transaction && !no_transaction);
  if (!has_sections) {
    return LintScript(contents, file, 0, in_transaction, options, statements);
  }
  // The preamble holds directives only; linting it as SQL is harmless (comments).
  std::string_view text = blanked;
  std::vector<Finding> out = LintScript(text, file, 0, in_transaction, options, statements);
  // Carets should show the original line (identical for up-section lines).
  return out;
}

Result<std::string> ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return MakeError(ErrorKind::kIo, "cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::vector<Finding> LintSql(std::string_view sql, std::string_view file, int first_line,
                             bool in_transaction, const LintOptions& options) {
  return LintScript(sql, file, first_line - 1, in_transaction, options, nullptr);
}

std::vector<Finding> LintFileText(std::string_view contents, std::string_view file,
                                  const LintOptions& options) {
  return LintFileTextCounted(contents, file, options, options.assume_in_transaction, nullptr);
}

Result<std::vector<Finding>> LintPaths(const std::vector<std::string>& paths,
                                       const LintOptions& options, LintStats* stats) {
  namespace fs = std::filesystem;
  struct Item {
    std::string path;
    bool transactional;
  };
  std::vector<Item> items;
  for (const std::string& p : paths) {
    if (p == "-") {
      items.push_back({p, options.assume_in_transaction});
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<Item> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (!it->is_regular_file() || it->path().extension() != ".sql") continue;
        std::string name = it->path().filename().string();
        if (name == "down.sql" || name == "verify.sql") continue;
        bool txn = options.assume_in_transaction;
        if (name == "up.sql") {
          // A folder migration: one transaction unless strata.yaml says otherwise.
          txn = true;
          auto yaml = ReadAll(it->path().parent_path() / "strata.yaml");
          if (yaml && yaml->find("no_transaction: true") != std::string::npos) txn = false;
        }
        found.push_back({it->path().string(), txn});
      }
      if (ec) return MakeError(ErrorKind::kIo, "cannot list " + p + ": " + ec.message());
      std::sort(found.begin(), found.end(),
                [](const Item& a, const Item& b) { return a.path < b.path; });
      items.insert(items.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      items.push_back({p, options.assume_in_transaction});
    } else {
      return MakeError(ErrorKind::kIo, "no such file or folder: " + p);
    }
  }
  std::vector<Finding> all;
  for (const Item& item : items) {
    std::string contents;
    std::string name = item.path;
    if (item.path == "-") {
      std::ostringstream ss;
      ss << std::cin.rdbuf();
      contents = ss.str();
      name = options.stdin_name;
    } else {
      ASSIGN_OR_RETURN(contents, ReadAll(item.path));
    }
    int n = 0;
    std::vector<Finding> f = LintFileTextCounted(contents, name, options, item.transactional, &n);
    if (stats != nullptr) {
      ++stats->files;
      stats->statements += n;
    }
    std::move(f.begin(), f.end(), std::back_inserter(all));
  }
  return all;
}

}  // namespace strata::lint
