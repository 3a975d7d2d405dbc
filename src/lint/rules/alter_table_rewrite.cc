// Rule alter-table-rewrite: SET LOGGED/UNLOGGED or SET TABLESPACE rewrites the table under ACCESS EXCLUSIVE.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class AlterTableRewrite final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "alter-table-rewrite",
        .severity = Severity::kError,
        .summary = R"(SET LOGGED/UNLOGGED or SET TABLESPACE rewrites the table under ACCESS EXCLUSIVE)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `ALTER TABLE … SET LOGGED`, `SET UNLOGGED` and `SET TABLESPACE` on an existing table.

**Lock and effect.** PostgreSQL copies the whole table (and for SET TABLESPACE its data files)
while holding an ACCESS EXCLUSIVE lock: all reads and writes wait for the copy.

**Safe rewrite.** Create a new table with the wanted persistence/tablespace, copy the data in
batches with a sync trigger, then swap names in a short transaction; or do it in a maintenance
window.)",
        .bad_example = R"(ALTER TABLE events SET LOGGED;)",
        .good_example = R"(CREATE TABLE events_new (LIKE events INCLUDING ALL);
-- copy in batches with a sync trigger, then swap names)",
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
    std::string_view sub = cmd->Str("subtype");
    if (sub != "AT_SetLogged" && sub != "AT_SetUnLogged" && sub != "AT_SetTableSpace") continue;
    std::string what = sub == "AT_SetLogged"     ? "SET LOGGED"
                       : sub == "AT_SetUnLogged" ? "SET UNLOGGED"
                                                 : "SET TABLESPACE";
    ctx.Report(-1,
               what + " rewrites " + TableOf(ctx) + " while it " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
               "build a new table, copy in batches with a sync trigger, swap names in a short "
               "transaction");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeAlterTableRewrite() { return std::make_unique<AlterTableRewrite>(); }

}  // namespace strata::lint
