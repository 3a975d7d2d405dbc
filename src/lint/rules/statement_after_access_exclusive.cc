// Rule statement-after-access-exclusive: More work after an ACCESS EXCLUSIVE lock in the same transaction keeps the table offline.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class StatementAfterAccessExclusive final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "statement-after-access-exclusive",
        .severity = Severity::kWarning,
        .summary = R"(More work after an ACCESS EXCLUSIVE lock in the same transaction keeps the table offline)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches, inside one transaction, a statement that follows one that took an ACCESS
EXCLUSIVE lock on an existing table, when the later statement does real work: it scans or
rewrites, writes rows, or locks another existing table.

**Lock and effect.** Locks are held until COMMIT. Everything after the ACCESS EXCLUSIVE statement
extends the time all reads and writes on that table are blocked, and locking another table while
holding it invites deadlocks and long queues.

**Safe rewrite.** Put the ACCESS EXCLUSIVE statement last in its transaction, or in its own
migration; keep slow work (backfills, index builds, validations) in separate transactions.)",
        .bad_example = R"(ALTER TABLE users ADD COLUMN nickname text;
UPDATE users SET nickname = name WHERE nickname IS NULL;)",
        .good_example = R"(-- strata:no-transaction
ALTER TABLE users ADD COLUMN nickname text;
UPDATE users SET nickname = name WHERE nickname IS NULL;)",
    };
    return kInfo;
  }

  void Check(RuleContext& ctx) const override {
  const LintState& st = ctx.state();
  if (!st.in_transaction || st.ael_table.empty() || st.ael_reported) return;
  const pg::Node& s = ctx.stmt();
  if (s.Is("TransactionStmt") || s.Is("VariableSetStmt") || s.Is("CommentStmt")) return;
  const StatementFacts& f = ctx.facts();
  bool heavy = f.scan || f.rewrite;
  bool writes = s.Is("UpdateStmt") || s.Is("DeleteStmt") || s.Is("InsertStmt") ||
                s.Is("MergeStmt");
  bool other_table = false;
  for (const TableLock& l : f.locks) {
    std::string_view bare = l.table;
    if (auto dot = bare.rfind('.'); dot != std::string_view::npos) bare = bare.substr(dot + 1);
    if (l.mode != LockMode::kNone && l.table != st.ael_table && !st.IsNewTable(bare)) {
      other_table = true;
    }
  }
  if (!heavy && !writes && !other_table) return;
  ctx.Report(-1,
             f.kind + " runs while the ACCESS EXCLUSIVE lock on " + Q(st.ael_table) +
                 " taken at line " + std::to_string(st.ael_line) +
                 " is held until COMMIT: all reads and writes on " + Q(st.ael_table) +
                 " stay blocked meanwhile",
             "end the transaction after the ACCESS EXCLUSIVE statement (separate migration, or "
             "-- strata:no-transaction); run slow work in its own transaction");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeStatementAfterAccessExclusive() { return std::make_unique<StatementAfterAccessExclusive>(); }

}  // namespace strata::lint
