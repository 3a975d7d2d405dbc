// Rule enum-add-value-in-transaction: ALTER TYPE … ADD VALUE inside a transaction fails before PostgreSQL 12 and hides the value until commit.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class EnumAddValueInTransaction final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "enum-add-value-in-transaction",
        .severity = Severity::kWarning,
        .summary = R"(ALTER TYPE … ADD VALUE inside a transaction fails before PostgreSQL 12 and hides the value until commit)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `ALTER TYPE … ADD VALUE` inside a transaction block (after `BEGIN`, or in a strata
migration that does not say `-- strata:no-transaction`).

**Effect.** Before PostgreSQL 12 the statement fails (`cannot run inside a transaction block`).
From 12 it works, but the new value cannot be used until the transaction commits: a later
statement of the same migration that inserts or compares it fails with `unsafe use of new value`.
No table lock is taken either way.

**Safe rewrite.** Put `ADD VALUE` in its own migration marked `-- strata:no-transaction`, and use
the value in later migrations.)",
        .bad_example = R"(BEGIN;
ALTER TYPE order_status ADD VALUE 'refunded';
COMMIT;)",
        .good_example = R"(-- strata:no-transaction
ALTER TYPE order_status ADD VALUE 'refunded';)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"AlterEnumStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("AlterEnumStmt") || s.Has("oldVal") || !ctx.state().in_transaction) return;
  ctx.Report(-1,
             "ALTER TYPE " + JoinNames(s, "typeName") + " ADD VALUE " + Q(s.Str("newVal")) +
                 " inside a transaction " +
                 (ctx.pg_major() < 12
                      ? std::string("fails on PostgreSQL ") + std::to_string(ctx.pg_major()) +
                            " (cannot run inside a transaction block)"
                      : std::string("hides the new value until COMMIT: using it in the same "
                                    "transaction fails")) +
                 "; it takes no table lock",
             "put ADD VALUE alone in a migration marked -- strata:no-transaction; use the value "
             "in later migrations");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeEnumAddValueInTransaction() { return std::make_unique<EnumAddValueInTransaction>(); }

}  // namespace strata::lint
