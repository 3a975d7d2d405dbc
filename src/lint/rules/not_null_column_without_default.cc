// Rule not-null-column-without-default: ADD COLUMN … NOT NULL without a DEFAULT fails on a non-empty table.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class NotNullColumnWithoutDefault final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "not-null-column-without-default",
        .severity = Severity::kError,
        .summary = R"(ADD COLUMN … NOT NULL without a DEFAULT fails on a non-empty table)",
        .squawk = {"adding-not-nullable-field", "adding-required-field"},
        .strong_migrations = {},
        .explain = R"(Catches `ALTER TABLE … ADD COLUMN … NOT NULL` without `DEFAULT` on an existing table.

**Effect.** Existing rows would get NULL, so PostgreSQL refuses the statement on any non-empty
table (`column … contains null values`): the migration fails, after waiting for an ACCESS
EXCLUSIVE lock. It also breaks old application versions that insert without the column.

**Safe rewrite.** Add the column with a constant `DEFAULT` (catalog-only from PostgreSQL 11), or
add it nullable, backfill, then add NOT NULL through a validated CHECK (see
`require-check-for-set-not-null`).)",
        .bad_example = R"(ALTER TABLE users ADD COLUMN country text NOT NULL;)",
        .good_example = R"(ALTER TABLE users ADD COLUMN country text NOT NULL DEFAULT 'unknown';)",
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
    if (cmd->Str("subtype") != "AT_AddColumn" || def == nullptr) continue;
    const pg::Node* nn = ColumnConstraint(*def, "CONSTR_NOTNULL");
    if (nn == nullptr && ColumnConstraint(*def, "CONSTR_PRIMARY") == nullptr) continue;
    if (ColumnConstraint(*def, "CONSTR_DEFAULT") != nullptr ||
        ColumnConstraint(*def, "CONSTR_IDENTITY") != nullptr ||
        ColumnConstraint(*def, "CONSTR_GENERATED") != nullptr)
      continue;
    std::string_view type = TypeNameLast(def->Child("typeName"));
    if (type.find("serial") != std::string_view::npos) continue;
    ctx.Report(nn != nullptr ? Loc(nn) : Loc(def),
               "ADD COLUMN " + Q(def->Str("colname")) +
                   " NOT NULL without a DEFAULT fails on a non-empty table, after it " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
               "ADD COLUMN … NOT NULL DEFAULT <constant>, or add it nullable, backfill, then add "
               "NOT NULL through a validated CHECK");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeNotNullColumnWithoutDefault() { return std::make_unique<NotNullColumnWithoutDefault>(); }

}  // namespace strata::lint
