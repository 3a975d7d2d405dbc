// Rule require-concurrent-reindex: REINDEX without CONCURRENTLY blocks writes (and reads through the index).
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RequireConcurrentReindex final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "require-concurrent-reindex",
        .severity = Severity::kWarning,
        .summary = R"(REINDEX without CONCURRENTLY blocks writes (and reads through the index))",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `REINDEX INDEX|TABLE` without `CONCURRENTLY`.

**Lock and effect.** `REINDEX` takes a SHARE lock on the table (all writes wait) and an ACCESS
EXCLUSIVE lock on each index being rebuilt (queries that would use it wait), for the whole
rebuild.

**Safe rewrite.** `REINDEX INDEX CONCURRENTLY` (PostgreSQL 12+) in a migration marked
`-- strata:no-transaction`. Before 12: `CREATE INDEX CONCURRENTLY` a replacement, then
`DROP INDEX CONCURRENTLY` the old one and rename.)",
        .bad_example = R"(REINDEX INDEX idx_users_email;)",
        .good_example = R"(-- strata:no-transaction
REINDEX INDEX CONCURRENTLY idx_users_email;)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"ReindexStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("ReindexStmt") || HasOption(s, "params", "concurrently")) return;
  std::string_view kind = s.Str("kind");
  if (kind != "REINDEX_OBJECT_INDEX" && kind != "REINDEX_OBJECT_TABLE") return;
  ctx.Report(-1,
             "REINDEX without CONCURRENTLY " + LockPhrase(RelationName(Rel(ctx)), LockMode::kShare) +
                 ", and an ACCESS EXCLUSIVE lock on each rebuilt index, for the whole rebuild",
             ctx.pg_major() >= 12
                 ? "REINDEX … CONCURRENTLY, alone in a migration marked -- strata:no-transaction"
                 : "CREATE INDEX CONCURRENTLY a replacement, DROP INDEX CONCURRENTLY the old one, "
                   "then rename",
             7);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRequireConcurrentReindex() { return std::make_unique<RequireConcurrentReindex>(); }

}  // namespace strata::lint
