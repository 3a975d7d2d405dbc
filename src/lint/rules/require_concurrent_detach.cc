// Rule require-concurrent-detach: DETACH PARTITION without CONCURRENTLY blocks the whole partitioned table.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RequireConcurrentDetach final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "require-concurrent-detach",
        .severity = Severity::kWarning,
        .summary = R"(DETACH PARTITION without CONCURRENTLY blocks the whole partitioned table)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `ALTER TABLE parent DETACH PARTITION child` without `CONCURRENTLY`.

**Lock and effect.** ACCESS EXCLUSIVE on the parent and on the partition: every read and write
on the whole partitioned table waits.

**Safe rewrite.** `DETACH PARTITION … CONCURRENTLY` (PostgreSQL 14+; SHARE UPDATE EXCLUSIVE on the
parent, traffic continues) in a migration marked `-- strata:no-transaction`.)",
        .bad_example = R"(ALTER TABLE measurements DETACH PARTITION measurements_2020;)",
        .good_example = R"(-- strata:no-transaction
ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;)",
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
    if (cmd->Str("subtype") != "AT_DetachPartition") continue;
    const pg::Node* def = cmd->Child("def");
    if (def != nullptr && def->Bool("concurrent")) continue;
    ctx.Report(-1,
               "DETACH PARTITION without CONCURRENTLY " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive) +
                   " (the parent) and on the partition",
               ctx.pg_major() >= 14
                   ? "DETACH PARTITION … CONCURRENTLY in a migration marked -- strata:no-transaction"
                   : "upgrade to PostgreSQL 14+ for DETACH … CONCURRENTLY, or run it with a short "
                     "lock_timeout");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRequireConcurrentDetach() { return std::make_unique<RequireConcurrentDetach>(); }

}  // namespace strata::lint
