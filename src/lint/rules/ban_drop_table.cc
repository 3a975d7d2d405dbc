// Rule ban-drop-table: DROP TABLE breaks application versions still using the table and loses its data.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class BanDropTable final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "ban-drop-table",
        .severity = Severity::kWarning,
        .summary = R"(DROP TABLE breaks application versions still using the table and loses its data)",
        .squawk = {"ban-drop-table"},
        .strong_migrations = {"drop_table"},
        .explain = R"(Catches `DROP TABLE` of a table not created earlier in the same file.

**Lock and effect.** ACCESS EXCLUSIVE on the table (and on every table with a foreign key to it
when `CASCADE`), then its data is gone: running application versions that use it fail, and a
rollback cannot bring the rows back.

**Safe rewrite.** Stop using the table in the application and deploy; rename it to
`<name>_deprecated` for a release; drop it after a backup.)",
        .bad_example = R"(DROP TABLE legacy_sessions;)",
        .good_example = R"(ALTER TABLE legacy_sessions RENAME TO legacy_sessions_deprecated; -- strata:ignore rename-table kept for one release before the drop)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"DropStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("DropStmt") || s.Str("removeType") != "OBJECT_TABLE") return;
  for (const TableLock& l : ctx.facts().locks) {
    std::string_view bare = l.table;
    if (auto dot = bare.rfind('.'); dot != std::string_view::npos) bare = bare.substr(dot + 1);
    if (ctx.state().IsNewTable(bare)) continue;
    ctx.Report(-1,
               "DROP TABLE " + Q(l.table) +
                   " deletes its data and breaks every running application version that uses "
                   "it; it " + LockPhrase(l.table, LockMode::kAccessExclusive),
               "stop using the table and deploy first; rename it to <name>_deprecated for a "
               "release; drop it after a backup");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeBanDropTable() { return std::make_unique<BanDropTable>(); }

}  // namespace strata::lint
