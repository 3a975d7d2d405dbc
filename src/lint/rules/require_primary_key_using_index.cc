// Rule require-primary-key-using-index: ADD PRIMARY KEY builds its index (and may scan for NOT NULL) under ACCESS EXCLUSIVE.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RequirePrimaryKeyUsingIndex final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "require-primary-key-using-index",
        .severity = Severity::kError,
        .summary = R"(ADD PRIMARY KEY builds its index (and may scan for NOT NULL) under ACCESS EXCLUSIVE)",
        .squawk = {"adding-serial-primary-key-field"},
        .strong_migrations = {"add_primary_key"},
        .explain = R"(Catches `ALTER TABLE … ADD [CONSTRAINT …] PRIMARY KEY (…)` (and `ADD COLUMN … PRIMARY KEY`)
on an existing table.

**Lock and effect.** The index is built under an ACCESS EXCLUSIVE lock, and if the columns are
nullable PostgreSQL also scans to set NOT NULL: all reads and writes wait.

**Safe rewrite.** Make the columns NOT NULL safely first (see `require-check-for-set-not-null`),
`CREATE UNIQUE INDEX CONCURRENTLY users_pkey ON users (id);` in a migration marked
`-- strata:no-transaction`, then
`ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;`.)",
        .bad_example = R"(ALTER TABLE users ADD PRIMARY KEY (id);)",
        .good_example = R"(ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"AlterTableStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  if (!Existing(ctx, Rel(ctx))) return;
  auto report = [&](const pg::Node* at) {
    ctx.Report(Loc(at),
               "ADD PRIMARY KEY builds a unique index (and scans for NOT NULL on nullable "
               "columns) while it " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
               "CREATE UNIQUE INDEX CONCURRENTLY …; then ADD CONSTRAINT … PRIMARY KEY USING INDEX …");
  };
  ForEachConstraintBuildingAnIndex(ctx, "CONSTR_PRIMARY", report);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRequirePrimaryKeyUsingIndex() { return std::make_unique<RequirePrimaryKeyUsingIndex>(); }

}  // namespace strata::lint
