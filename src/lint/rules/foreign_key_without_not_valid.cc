// Rule foreign-key-without-not-valid: ADD FOREIGN KEY without NOT VALID scans both tables while blocking writes on both.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class ForeignKeyWithoutNotValid final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "foreign-key-without-not-valid",
        .severity = Severity::kError,
        .summary = R"(ADD FOREIGN KEY without NOT VALID scans both tables while blocking writes on both)",
        .squawk = {"constraint-missing-not-valid", "adding-foreign-key-constraint"},
        .strong_migrations = {"add_foreign_key"},
        .explain = R"(Catches `ALTER TABLE … ADD [CONSTRAINT …] FOREIGN KEY` without `NOT VALID` on an existing
table.

**Lock and effect.** It takes a SHARE ROW EXCLUSIVE lock on the table *and* on the referenced
table, then checks every row: writes to both tables wait for the whole scan.

**Safe rewrite.** Add the constraint `NOT VALID` (brief lock, no scan, new rows are checked),
then `VALIDATE CONSTRAINT` in a later transaction (SHARE UPDATE EXCLUSIVE on the table, ROW SHARE
on the referenced one: reads and writes continue).)",
        .bad_example = R"(ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);)",
        .good_example = R"(ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
-- in the next migration:
-- ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;)",
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
    if (def->Str("contype") != "CONSTR_FOREIGN" || def->Bool("skip_validation")) continue;
    std::string ref = RelationName(def->Child("pktable"));
    ctx.Report(Loc(def),
               "ADD FOREIGN KEY without NOT VALID " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kShareRowExclusive) +
                   ", and the same on " + Q(ref) + ", while it scans both tables",
               "ADD CONSTRAINT … FOREIGN KEY … NOT VALID; then VALIDATE CONSTRAINT in a later "
               "transaction");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeForeignKeyWithoutNotValid() { return std::make_unique<ForeignKeyWithoutNotValid>(); }

}  // namespace strata::lint
