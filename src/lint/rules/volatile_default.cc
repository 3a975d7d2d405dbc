// Rule volatile-default: ADD COLUMN with a volatile DEFAULT rewrites the table under ACCESS EXCLUSIVE.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class VolatileDefault final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "volatile-default",
        .severity = Severity::kError,
        .summary = R"(ADD COLUMN with a volatile DEFAULT rewrites the table under ACCESS EXCLUSIVE)",
        .squawk = {"adding-field-with-default"},
        .strong_migrations = {"add_column_default", "add_column_default_callable"},
        .explain = R"(Catches `ALTER TABLE … ADD COLUMN … DEFAULT expr` on an existing table when `expr` is
volatile (`gen_random_uuid()`, `clock_timestamp()`, `random()`, `nextval()`, or a function whose
volatility strata does not know), and on PostgreSQL 10 and older *any* default.

**Lock and effect.** PostgreSQL rewrites the table and all its indexes to store the value in
every row, holding an ACCESS EXCLUSIVE lock: all reads and writes wait for the rewrite.

**Safe rewrite.** Add the column without a default (or with a constant one), set the default
for new rows with `ALTER COLUMN … SET DEFAULT …`, then backfill existing rows in batches.

**Versions.** PostgreSQL 11+ store a non-volatile default (constants, `now()`) in the catalog:
no rewrite. Before 11 every default rewrites.)",
        .bad_example = R"(ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();)",
        .good_example = R"(ALTER TABLE users ADD COLUMN token uuid;
ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();
-- then backfill in batches)",
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
    const pg::Node* d = ColumnConstraint(*def, "CONSTR_DEFAULT");
    if (d == nullptr) continue;
    Volatility v = ClassifyDefault(d->Child("raw_expr"));
    std::string why;
    if (v == Volatility::kVolatile) {
      why = "the volatile default " + FirstFunctionName(d->Child("raw_expr")) + "()";
    } else if (v == Volatility::kUnknownFunction) {
      why = "the default " + FirstFunctionName(d->Child("raw_expr")) +
            "() (volatile unless declared STABLE or IMMUTABLE)";
    } else if (ctx.pg_major() < 11) {
      why = "a DEFAULT on PostgreSQL " + std::to_string(ctx.pg_major()) + " (before 11)";
    } else {
      continue;
    }
    ctx.Report(Loc(d),
               "ADD COLUMN " + Q(def->Str("colname")) + " with " + why +
                   " rewrites the table and its indexes while it " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
               "ADD COLUMN without the default; ALTER COLUMN … SET DEFAULT …; backfill existing "
               "rows in batches");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeVolatileDefault() { return std::make_unique<VolatileDefault>(); }

}  // namespace strata::lint
