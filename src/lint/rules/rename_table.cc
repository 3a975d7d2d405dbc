// Rule rename-table: RENAME TABLE breaks application versions that use the old name.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RenameTable final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "rename-table",
        .severity = Severity::kWarning,
        .summary = R"(RENAME TABLE breaks application versions that use the old name)",
        .squawk = {"renaming-table"},
        .strong_migrations = {"rename_table"},
        .explain = R"(Catches `ALTER TABLE … RENAME TO …`.

**Lock and effect.** Catalog-only under an ACCESS EXCLUSIVE lock, but every running application
version that names the old table fails once the migration commits.

**Safe rewrite.** Rename, and in the same transaction create a view with the old name
(`CREATE VIEW old_name AS SELECT * FROM new_name;` — simple views are updatable), move the
application, then drop the view.)",
        .bad_example = R"(ALTER TABLE users RENAME TO accounts;)",
        .good_example = R"(-- strata:ignore rename-table the view below keeps the old name working
ALTER TABLE users RENAME TO accounts;
CREATE VIEW users AS SELECT * FROM accounts;)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"RenameStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("RenameStmt") || s.Str("renameType") != "OBJECT_TABLE") return;
  if (!Existing(ctx, Rel(ctx))) return;
  // A view with the old name created later in the file keeps old clients working; the linter
  // cannot see the future, so look for it in the current statement only through suppression.
  ctx.Report(-1,
             "RENAME TABLE " + TableOf(ctx) + " TO " + Q(s.Str("newname")) +
                 " breaks every running application version that uses the old name; it also " +
                 LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
             "rename and create a view with the old name in the same transaction; drop the view "
             "once no deployed version uses it");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRenameTable() { return std::make_unique<RenameTable>(); }

}  // namespace strata::lint
