// Rule add-stored-generated-column: ADD COLUMN … GENERATED ALWAYS AS (…) STORED rewrites the table.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class AddStoredGeneratedColumn final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "add-stored-generated-column",
        .severity = Severity::kError,
        .summary = R"(ADD COLUMN … GENERATED ALWAYS AS (…) STORED rewrites the table)",
        .squawk = {"adding-stored-generated-column"},
        .strong_migrations = {"add_column_generated_stored"},
        .explain = R"(Catches `ALTER TABLE … ADD COLUMN … GENERATED ALWAYS AS (expr) STORED` on an existing table.

**Lock and effect.** PostgreSQL computes and stores the value for every row: a rewrite of the
table and its indexes under an ACCESS EXCLUSIVE lock, blocking all reads and writes.

**Safe rewrite.** Add a plain nullable column, fill it for new rows with a trigger, backfill old
rows in batches; or compute the value in a view or in queries.)",
        .bad_example = R"(ALTER TABLE users ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;)",
        .good_example = R"(ALTER TABLE users ADD COLUMN email_lower text;
-- plus a trigger that sets it, and a batched backfill)",
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
    const pg::Node* gen = ColumnConstraint(*def, "CONSTR_GENERATED");
    if (gen == nullptr) continue;
    ctx.Report(Loc(gen),
               "ADD COLUMN " + Q(def->Str("colname")) +
                   " GENERATED … STORED computes it for every row: it rewrites the table while "
                   "it " + LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
               "add a plain nullable column, maintain it with a trigger, backfill in batches");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeAddStoredGeneratedColumn() { return std::make_unique<AddStoredGeneratedColumn>(); }

}  // namespace strata::lint
