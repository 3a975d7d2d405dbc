// Rule ban-drop-column: DROP COLUMN breaks application versions still reading or writing the column.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class BanDropColumn final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "ban-drop-column",
        .severity = Severity::kWarning,
        .summary = R"(DROP COLUMN breaks application versions still reading or writing the column)",
        .squawk = {"ban-drop-column"},
        .strong_migrations = {"remove_column"},
        .explain = R"(Catches `ALTER TABLE … DROP COLUMN`.

**Lock and effect.** The drop itself is catalog-only but takes an ACCESS EXCLUSIVE lock; the
real damage is to running application versions: every query that names the column (or uses
`SELECT *` into a fixed struct, or an ORM with a cached column list) fails as soon as the
migration commits.

**Safe rewrite.** Contract in stages: stop reading and writing the column in the application,
deploy, and only then drop it (strata online `drop_column` keeps old versions working through
views until contract).)",
        .bad_example = R"(ALTER TABLE users DROP COLUMN legacy_flag;)",
        .good_example = R"(-- after every deployed version stopped using the column:
-- strata:ignore ban-drop-column column unused since release 42
ALTER TABLE users DROP COLUMN legacy_flag;)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"AlterTableStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  if (!Existing(ctx, Rel(ctx))) return;
  for (const pg::Node* cmd : AlterCmds(ctx)) {
    if (cmd->Str("subtype") != "AT_DropColumn") continue;
    ctx.Report(-1,
               "DROP COLUMN " + Q(cmd->Str("name")) +
                   " breaks every running application version that still reads or writes it; it "
                   "also " + LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
               "stop using the column in the application and deploy first; then drop it (strata "
               "online drop_column)");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeBanDropColumn() { return std::make_unique<BanDropColumn>(); }

}  // namespace strata::lint
