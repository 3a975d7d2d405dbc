// Rule ban-truncate: TRUNCATE deletes every row under ACCESS EXCLUSIVE and cannot be undone after commit.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class BanTruncate final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "ban-truncate",
        .severity = Severity::kWarning,
        .summary = R"(TRUNCATE deletes every row under ACCESS EXCLUSIVE and cannot be undone after commit)",
        .squawk = {"ban-truncate-cascade"},
        .strong_migrations = {},
        .explain = R"(Catches `TRUNCATE` of tables not created in the same file.

**Lock and effect.** ACCESS EXCLUSIVE on each table (and on every referencing table with
`CASCADE`): reads and writes wait, then every row is gone.

**Safe rewrite.** In a migration, delete the rows you mean in batches (`DELETE … WHERE id IN
(SELECT id … LIMIT 1000)`), or suppress with a reason when the table really is disposable.)",
        .bad_example = R"(TRUNCATE audit_log;)",
        .good_example = R"(DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE created_at < now() - interval '90 days' LIMIT 1000);)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"TruncateStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  if (!ctx.stmt().Is("TruncateStmt")) return;
  bool cascade = ctx.stmt().Str("behavior") == "DROP_CASCADE";
  for (const pg::Node* rel : ctx.stmt().List("relations")) {
    if (!Existing(ctx, rel)) continue;
    ctx.Report(Loc(rel),
               "TRUNCATE deletes every row of " + Q(RelationName(rel)) + " and " +
                   LockPhrase(RelationName(rel), LockMode::kAccessExclusive) +
                   (cascade ? "; CASCADE also locks and empties every referencing table" : ""),
               "delete the rows you mean in batches, or suppress with a reason for a disposable "
               "table");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeBanTruncate() { return std::make_unique<BanTruncate>(); }

}  // namespace strata::lint
