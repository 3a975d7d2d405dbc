// Rule require-unique-using-index: ADD UNIQUE builds its index under an ACCESS EXCLUSIVE lock.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RequireUniqueUsingIndex final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "require-unique-using-index",
        .severity = Severity::kError,
        .summary = R"(ADD UNIQUE builds its index under an ACCESS EXCLUSIVE lock)",
        .squawk = {"disallowed-unique-constraint"},
        .strong_migrations = {"add_unique_constraint"},
        .explain = R"(Catches `ALTER TABLE … ADD [CONSTRAINT …] UNIQUE (…)` (and `ADD COLUMN … UNIQUE`) on an
existing table.

**Lock and effect.** The unique index is built while the table holds an ACCESS EXCLUSIVE lock:
all reads and writes wait for a full scan and sort.

**Safe rewrite.** Build the index first, without blocking, then attach it:
`CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);` (migration marked
`-- strata:no-transaction`), then
`ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;`
(brief lock, no scan).)",
        .bad_example = R"(ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);)",
        .good_example = R"(ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;)",
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
               "ADD UNIQUE builds a unique index while it " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
               "CREATE UNIQUE INDEX CONCURRENTLY …; then ADD CONSTRAINT … UNIQUE USING INDEX …");
  };
  ForEachConstraintBuildingAnIndex(ctx, "CONSTR_UNIQUE", report);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRequireUniqueUsingIndex() { return std::make_unique<RequireUniqueUsingIndex>(); }

}  // namespace strata::lint
