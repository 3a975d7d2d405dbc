// Rule rename-column: RENAME COLUMN breaks application versions that use the old name.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RenameColumn final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "rename-column",
        .severity = Severity::kWarning,
        .summary = R"(RENAME COLUMN breaks application versions that use the old name)",
        .squawk = {"renaming-column"},
        .strong_migrations = {"rename_column"},
        .explain = R"(Catches `ALTER TABLE … RENAME COLUMN a TO b`.

**Lock and effect.** Catalog-only, but it takes an ACCESS EXCLUSIVE lock, and every running
application version that names the old column fails the moment the migration commits.

**Safe rewrite.** Expand and contract: add the new column, keep both in sync (trigger), backfill,
move readers and writers, then drop the old column (strata online `rename_column` serves both
names through versioned views).)",
        .bad_example = R"(ALTER TABLE users RENAME COLUMN email TO email_address;)",
        .good_example = R"(ALTER TABLE users ADD COLUMN email_address text;
-- sync with a trigger, backfill, move the application, then drop email)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"RenameStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("RenameStmt") || s.Str("renameType") != "OBJECT_COLUMN") return;
  if (!Existing(ctx, Rel(ctx))) return;
  ctx.Report(-1,
             "RENAME COLUMN " + Q(s.Str("subname")) + " TO " + Q(s.Str("newname")) +
                 " breaks every running application version that uses the old name; it also " +
                 LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
             "add the new column, sync with a trigger, backfill, move the application, then drop "
             "the old one (strata online rename_column)");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRenameColumn() { return std::make_unique<RenameColumn>(); }

}  // namespace strata::lint
