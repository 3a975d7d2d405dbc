// Rule check-without-not-valid: ADD CHECK without NOT VALID scans the table under an ACCESS EXCLUSIVE lock.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class CheckWithoutNotValid final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "check-without-not-valid",
        .severity = Severity::kError,
        .summary = R"(ADD CHECK without NOT VALID scans the table under an ACCESS EXCLUSIVE lock)",
        .squawk = {"constraint-missing-not-valid"},
        .strong_migrations = {"add_check_constraint"},
        .explain = R"(Catches `ALTER TABLE … ADD [CONSTRAINT …] CHECK (…)` without `NOT VALID` on an existing table.

**Lock and effect.** It takes an ACCESS EXCLUSIVE lock and checks every row while holding it:
all reads and writes on the table wait for the scan.

**Safe rewrite.** `ADD CONSTRAINT … CHECK (…) NOT VALID` (brief lock, no scan; new rows are
checked), then `VALIDATE CONSTRAINT` in a later transaction (SHARE UPDATE EXCLUSIVE: reads and
writes continue).)",
        .bad_example = R"(ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);)",
        .good_example = R"(ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;
-- in the next migration:
-- ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;)",
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
    if (cmd->Str("subtype") != "AT_AddConstraint" || def == nullptr) continue;
    if (def->Str("contype") != "CONSTR_CHECK" || def->Bool("skip_validation")) continue;
    ctx.Report(Loc(def),
               "ADD CHECK without NOT VALID " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive) +
                   ", while it scans every row",
               "ADD CONSTRAINT … CHECK (…) NOT VALID; then VALIDATE CONSTRAINT in a later "
               "transaction");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeCheckWithoutNotValid() { return std::make_unique<CheckWithoutNotValid>(); }

}  // namespace strata::lint
