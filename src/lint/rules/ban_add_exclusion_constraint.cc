// Rule ban-add-exclusion-constraint: ADD EXCLUDE builds its index and scans under an ACCESS EXCLUSIVE lock.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class BanAddExclusionConstraint final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "ban-add-exclusion-constraint",
        .severity = Severity::kError,
        .summary = R"(ADD EXCLUDE builds its index and scans under an ACCESS EXCLUSIVE lock)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `ALTER TABLE … ADD [CONSTRAINT …] EXCLUDE …` on an existing table.

**Lock and effect.** The exclusion index is built and every row checked under an ACCESS
EXCLUSIVE lock: all reads and writes wait. Exclusion constraints cannot be added `NOT VALID` nor
`USING INDEX`.

**Safe rewrite.** There is no lock-free path. Create the table with the constraint from the
start, or enforce the rule in a trigger added `NOT VALID`-style in stages, or schedule the
statement in a maintenance window with a short `lock_timeout`.)",
        .bad_example = R"(ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);)",
        .good_example = R"(CREATE TABLE bookings (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));)",
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
    if (def->Str("contype") != "CONSTR_EXCLUSION") continue;
    ctx.Report(Loc(def),
               "ADD EXCLUDE builds an index and checks every row while it " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
               "add exclusion constraints when creating the table, or run this in a maintenance "
               "window with a short lock_timeout");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeBanAddExclusionConstraint() { return std::make_unique<BanAddExclusionConstraint>(); }

}  // namespace strata::lint
