// Rule validate-in-same-transaction: VALIDATE CONSTRAINT in the transaction that added it NOT VALID keeps the strong lock.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class ValidateInSameTransaction final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "validate-in-same-transaction",
        .severity = Severity::kError,
        .summary = R"(VALIDATE CONSTRAINT in the transaction that added it NOT VALID keeps the strong lock)",
        .squawk = {},
        .strong_migrations = {"validate_foreign_key"},
        .explain = R"(Catches `ALTER TABLE … VALIDATE CONSTRAINT c` in the same transaction as the
`ADD CONSTRAINT c … NOT VALID` it validates.

**Lock and effect.** The ADD took ACCESS EXCLUSIVE (CHECK) or SHARE ROW EXCLUSIVE (FOREIGN KEY)
and that lock is held until COMMIT: validating in the same transaction scans the table while the
strong lock is still held, which is exactly what `NOT VALID` was meant to avoid.

**Safe rewrite.** Commit between the two: put `VALIDATE CONSTRAINT` in the next migration (or
after `COMMIT`).)",
        .bad_example = R"(ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;)",
        .good_example = R"(-- strata:no-transaction
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"AlterTableStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  if (!ctx.state().in_transaction) return;
  for (const pg::Node* cmd : AlterCmds(ctx)) {
    if (cmd->Str("subtype") != "AT_ValidateConstraint") continue;
    std::string key = std::string(BareName(Rel(ctx))) + "." + std::string(cmd->Str("name"));
    if (!ctx.state().not_valid_in_transaction.contains(key)) continue;
    ctx.Report(-1,
               "VALIDATE CONSTRAINT " + Q(cmd->Str("name")) +
                   " runs in the transaction that added it NOT VALID: the lock taken by the ADD "
                   "is still held, so the validation scan runs under it",
               "COMMIT after ADD … NOT VALID; VALIDATE CONSTRAINT in the next migration");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeValidateInSameTransaction() { return std::make_unique<ValidateInSameTransaction>(); }

}  // namespace strata::lint
