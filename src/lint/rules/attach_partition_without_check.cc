// Rule attach-partition-without-check: ATTACH PARTITION scans the partition unless a matching CHECK exists.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class AttachPartitionWithoutCheck final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "attach-partition-without-check",
        .severity = Severity::kWarning,
        .summary = R"(ATTACH PARTITION scans the partition unless a matching CHECK exists)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `ALTER TABLE parent ATTACH PARTITION child FOR VALUES …` on an existing parent,
unless the same file added a validated CHECK constraint on the partition beforehand.

**Lock and effect.** SHARE UPDATE EXCLUSIVE on the parent (traffic continues; before
PostgreSQL 12 ACCESS EXCLUSIVE), but ACCESS EXCLUSIVE on the partition while PostgreSQL scans it
to prove every row fits the bounds: all reads and writes on the partition wait.

**Safe rewrite.** On the partition, `ADD CONSTRAINT … CHECK (<the bounds>) NOT VALID`, then
`VALIDATE CONSTRAINT` (no blocking), then `ATTACH PARTITION` (the scan is skipped), then drop the
check.)",
        .bad_example = R"(ALTER TABLE measurements ATTACH PARTITION measurements_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');)",
        .good_example = R"(ALTER TABLE measurements_2026 ADD CONSTRAINT m2026_bounds CHECK (at >= '2026-01-01' AND at < '2027-01-01') NOT VALID;
-- next migration: VALIDATE CONSTRAINT m2026_bounds, then ATTACH PARTITION)",
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
    if (cmd->Str("subtype") != "AT_AttachPartition") continue;
    const pg::Node* part = cmd->Child("def") ? cmd->Child("def")->Child("name") : nullptr;
    if (part == nullptr || ctx.state().IsNewTable(BareName(part))) continue;
    std::string parent_lock = ctx.pg_major() < 12 ? "ACCESS EXCLUSIVE" : "SHARE UPDATE EXCLUSIVE";
    ctx.Report(Loc(part),
               "ATTACH PARTITION scans " + Q(RelationName(part)) + " while it holds ACCESS "
               "EXCLUSIVE on it (all reads and writes on the partition wait) and " +
                   parent_lock + " on " + TableOf(ctx),
               "ADD CONSTRAINT … CHECK (<bounds>) NOT VALID on the partition, VALIDATE it, then "
               "ATTACH (no scan), then drop the check");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeAttachPartitionWithoutCheck() { return std::make_unique<AttachPartitionWithoutCheck>(); }

}  // namespace strata::lint
