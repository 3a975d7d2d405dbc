// Rule require-check-for-set-not-null: SET NOT NULL scans the table under ACCESS EXCLUSIVE unless a validated CHECK exists.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RequireCheckForSetNotNull final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "require-check-for-set-not-null",
        .severity = Severity::kError,
        .summary = R"(SET NOT NULL scans the table under ACCESS EXCLUSIVE unless a validated CHECK exists)",
        .squawk = {"adding-not-nullable-field"},
        .strong_migrations = {"change_column_null"},
        .explain = R"(Catches `ALTER TABLE … ALTER COLUMN c SET NOT NULL` on an existing table, unless the same
file validated a `CHECK (c IS NOT NULL)` first (on PostgreSQL 12+).

**Lock and effect.** PostgreSQL scans every row to prove there is no NULL while holding an
ACCESS EXCLUSIVE lock: all reads and writes wait for the scan.

**Safe rewrite.** In one migration `ADD CONSTRAINT c_not_null CHECK (c IS NOT NULL) NOT VALID`;
in the next `VALIDATE CONSTRAINT c_not_null` (SHARE UPDATE EXCLUSIVE, traffic continues); then
`SET NOT NULL` (PostgreSQL 12+ skip the scan thanks to the validated check) and
`DROP CONSTRAINT c_not_null`.

**Versions.** Before PostgreSQL 12 `SET NOT NULL` always scans.)",
        .bad_example = R"(ALTER TABLE users ALTER COLUMN email SET NOT NULL;)",
        .good_example = R"(ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
-- next migration:
-- ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
-- ALTER TABLE users ALTER COLUMN email SET NOT NULL;)",
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
    if (cmd->Str("subtype") != "AT_SetNotNull") continue;
    std::string key = std::string(BareName(Rel(ctx))) + "." + std::string(cmd->Str("name"));
    if (ctx.pg_major() >= 12 && ctx.state().validated_not_null.contains(key)) continue;
    ctx.Report(-1,
               "SET NOT NULL on " + Q(cmd->Str("name")) + " scans every row while it " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive) +
                   (ctx.pg_major() < 12 ? " (before PostgreSQL 12 the scan cannot be skipped)"
                                        : ""),
               "ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT in a "
               "later transaction; then SET NOT NULL (no scan on PostgreSQL 12+)");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRequireCheckForSetNotNull() { return std::make_unique<RequireCheckForSetNotNull>(); }

}  // namespace strata::lint
