// Rule whole-table-update: UPDATE/DELETE of a whole table in one statement locks every row for its duration.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class WholeTableUpdate final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "whole-table-update",
        .severity = Severity::kWarning,
        .summary = R"(UPDATE/DELETE of a whole table in one statement locks every row for its duration)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches data migrations that `UPDATE` or `DELETE` a whole existing table in one statement
(no `WHERE`, or `WHERE true`).

**Lock and effect.** ROW EXCLUSIVE on the table, plus a row lock on every row until COMMIT:
concurrent updates of any row wait, the transaction bloats the table with dead tuples, holds
back VACUUM and can flood replication.

**Safe rewrite.** Backfill in batches of a few thousand rows, each in its own transaction, e.g.
`UPDATE t SET c = … WHERE id IN (SELECT id FROM t WHERE c IS NULL LIMIT 5000)` repeated until no
row changes (`strata online` backfills in throttled batches).)",
        .bad_example = R"(UPDATE users SET country = 'unknown';)",
        .good_example = R"(UPDATE users SET country = 'unknown' WHERE id IN (SELECT id FROM users WHERE country IS NULL LIMIT 5000);)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"UpdateStmt", "DeleteStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("UpdateStmt") && !s.Is("DeleteStmt")) return;
  if (!Existing(ctx, Rel(ctx))) return;
  const pg::Node* where = s.Child("whereClause");
  if (where != nullptr) {
    std::string v = Lower(where->ScalarText());
    bool always = where->Is("A_Const") && (v == "true" || v == "t");
    if (!always) {
      const pg::Node* arg = where->Is("TypeCast") ? where->Child("arg") : nullptr;
      always = arg != nullptr && Lower(arg->ScalarText()) == "t";
    }
    if (!always) return;
  }
  ctx.Report(-1,
             std::string(s.Is("UpdateStmt") ? "UPDATE" : "DELETE") + " of every row of " +
                 TableOf(ctx) +
                 " in one statement holds ROW EXCLUSIVE and a lock on every row until COMMIT: "
                 "concurrent writes to those rows wait, and dead tuples pile up",
             "backfill in batches (… WHERE id IN (SELECT id … LIMIT 5000)), one transaction per "
             "batch");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeWholeTableUpdate() { return std::make_unique<WholeTableUpdate>(); }

}  // namespace strata::lint
