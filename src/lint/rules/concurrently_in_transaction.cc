// Rule concurrently-in-transaction: A statement that cannot run inside a transaction block is inside one.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class ConcurrentlyInTransaction final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "concurrently-in-transaction",
        .severity = Severity::kError,
        .summary = R"(A statement that cannot run inside a transaction block is inside one)",
        .squawk = {"ban-concurrent-index-creation-in-transaction"},
        .strong_migrations = {},
        .explain = R"(Catches `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`,
`DETACH PARTITION … CONCURRENTLY`, `VACUUM` and the other statements PostgreSQL refuses inside a
transaction block, when they are inside one: after `BEGIN`, or in a strata migration (which runs
in one transaction unless it says `-- strata:no-transaction`).

**Effect.** PostgreSQL rejects the statement (`cannot run inside a transaction block`,
SQLSTATE 25001) and the migration fails; nothing is locked, but the deploy stops.

**Safe rewrite.** Move the statement into its own migration marked `-- strata:no-transaction`,
without `BEGIN`/`COMMIT`.)",
        .bad_example = R"(BEGIN;
CREATE INDEX CONCURRENTLY idx_users_email ON users (email);
COMMIT;)",
        .good_example = R"(-- strata:no-transaction
CREATE INDEX CONCURRENTLY idx_users_email ON users (email);)",
    };
    return kInfo;
  }

  void Check(RuleContext& ctx) const override {
  if (!ctx.state().in_transaction || ctx.facts().transactional) return;
  ctx.Report(-1,
             ctx.facts().kind +
                 " cannot run inside a transaction block: PostgreSQL rejects it (SQLSTATE 25001) "
                 "and the migration fails" +
                 (ctx.state().implicit_transaction
                      ? " (a strata migration runs in one transaction unless it says "
                        "-- strata:no-transaction)"
                      : ""),
             "move it to its own migration marked -- strata:no-transaction, without BEGIN/COMMIT");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeConcurrentlyInTransaction() { return std::make_unique<ConcurrentlyInTransaction>(); }

}  // namespace strata::lint
