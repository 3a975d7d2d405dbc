// Rule require-concurrent-index-drop: DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RequireConcurrentIndexDrop final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "require-concurrent-index-drop",
        .severity = Severity::kWarning,
        .summary = R"(DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table)",
        .squawk = {"require-concurrent-index-deletion"},
        .strong_migrations = {"remove_index"},
        .explain = R"(Catches `DROP INDEX` without `CONCURRENTLY`.

**Lock and effect.** A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table:
reads and writes wait, and while the request waits behind a long transaction every later query
on the table queues behind it.

**Safe rewrite.** `DROP INDEX CONCURRENTLY` waits for running transactions instead of blocking
them (SHARE UPDATE EXCLUSIVE). It cannot run inside a transaction block: use a migration marked
`-- strata:no-transaction`.)",
        .bad_example = R"(DROP INDEX idx_users_email;)",
        .good_example = R"(-- strata:no-transaction
DROP INDEX CONCURRENTLY idx_users_email;)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"DropStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("DropStmt") || s.Str("removeType") != "OBJECT_INDEX" || s.Bool("concurrent")) return;
  ctx.Report(-1,
             "DROP INDEX without CONCURRENTLY " +
                 LockPhrase("the index's table", LockMode::kAccessExclusive),
             "DROP INDEX CONCURRENTLY, alone in a migration marked -- strata:no-transaction", 10);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRequireConcurrentIndexDrop() { return std::make_unique<RequireConcurrentIndexDrop>(); }

}  // namespace strata::lint
