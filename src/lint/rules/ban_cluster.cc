// Rule ban-cluster: CLUSTER rewrites the table under ACCESS EXCLUSIVE.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class BanCluster final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "ban-cluster",
        .severity = Severity::kError,
        .summary = R"(CLUSTER rewrites the table under ACCESS EXCLUSIVE)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `CLUSTER`.

**Lock and effect.** It rewrites the table in index order, and all its indexes, holding an ACCESS
EXCLUSIVE lock: every read and write waits for the rewrite.

**Safe rewrite.** `pg_repack --order-by` reorders a table online; or accept the physical order
and rely on the index.)",
        .bad_example = R"(CLUSTER users USING users_pkey;)",
        .good_example = R"(ALTER TABLE users CLUSTER ON users_pkey; -- marks the index only; pg_repack does the reorder online)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"ClusterStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  if (!ctx.stmt().Is("ClusterStmt")) return;
  const pg::Node* rel = Rel(ctx);
  ctx.Report(-1,
             "CLUSTER rewrites " + (rel ? TableOf(ctx) : std::string("every clustered table")) +
                 " and its indexes while it " +
                 LockPhrase(rel ? RelationName(rel) : "each table", LockMode::kAccessExclusive),
             "pg_repack --order-by to reorder online");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeBanCluster() { return std::make_unique<BanCluster>(); }

}  // namespace strata::lint
