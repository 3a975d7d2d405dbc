// Rule column-type-change: ALTER COLUMN TYPE that rewrites the table under ACCESS EXCLUSIVE.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class ColumnTypeChange final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "column-type-change",
        .severity = Severity::kError,
        .summary = R"(ALTER COLUMN TYPE that rewrites the table under ACCESS EXCLUSIVE)",
        .squawk = {"changing-column-type"},
        .strong_migrations = {"change_column"},
        .explain = R"(Catches `ALTER TABLE … ALTER COLUMN … TYPE` on an existing table unless the change is known
to be binary-compatible: to `text` or unbounded `varchar`, or a `varchar(n)`/`numeric(p,s)`
widening of a column whose old type strata saw in the same file.

**Lock and effect.** Most type changes (int → bigint, anything with `USING`, shrinking a
`varchar`, `timestamp` → `timestamptz` outside UTC) rewrite the table and every index under an
ACCESS EXCLUSIVE lock: all reads and writes wait for the rewrite. Even the cheap ones take
ACCESS EXCLUSIVE briefly.

**Safe rewrite.** Expand and contract: add a new column of the new type, keep it in sync with a
trigger, backfill in batches, switch readers, then drop the old column (`strata online`
operation `alter_column` does this).)",
        .bad_example = R"(ALTER TABLE orders ALTER COLUMN id TYPE bigint;)",
        .good_example = R"(ALTER TABLE users ALTER COLUMN email TYPE text;)",
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
    const pg::Node* def = cmd->Child("def");
    if (cmd->Str("subtype") != "AT_AlterColumnType" || def == nullptr) continue;
    const pg::Node* tn = def->Child("typeName");
    std::string_view to = TypeNameLast(tn);
    bool using_expr = def->Has("raw_default");
    if (!using_expr) {
      if (to == "text" || (to == "varchar" && TypeModCount(tn) == 0)) continue;
      // A widening of a column declared earlier in this file.
      std::string key = std::string(BareName(Rel(ctx))) + "." + std::string(cmd->Str("name"));
      bool known_safe = false;
      for (const auto& [col, type] : ctx.state().column_types) {
        if (col == key && (type == "varchar" || type == "text") &&
            (to == "varchar" || to == "text")) {
          known_safe = true;
        }
      }
      if (known_safe) continue;
    }
    ctx.Report(-1,
               "ALTER COLUMN " + Q(cmd->Str("name")) + " TYPE " + TypeNameDisplay(tn) +
                   (using_expr ? " USING …" : "") +
                   " rewrites the table and all its indexes while it " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
               "add a new column of the new type, sync it with a trigger, backfill in batches, "
               "switch readers, then drop the old column (strata online alter_column)");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeColumnTypeChange() { return std::make_unique<ColumnTypeChange>(); }

}  // namespace strata::lint
