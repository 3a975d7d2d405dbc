// Rule ban-lock-table: LOCK TABLE takes an explicit lock that blocks traffic until COMMIT.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class BanLockTable final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "ban-lock-table",
        .severity = Severity::kWarning,
        .summary = R"(LOCK TABLE takes an explicit lock that blocks traffic until COMMIT)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `LOCK TABLE` in a migration.

**Lock and effect.** `LOCK TABLE t` without a mode takes ACCESS EXCLUSIVE: every read and write
waits until the transaction ends, and a waiting request queues all later queries. Weaker modes
from SHARE up still block writes.

**Safe rewrite.** Let each statement take the lock it needs, as late and as briefly as possible,
with a `lock_timeout`. If a lock is truly required, use the weakest mode that works (for example
`SHARE UPDATE EXCLUSIVE` only keeps other DDL away).)",
        .bad_example = R"(LOCK TABLE users;)",
        .good_example = R"(SET lock_timeout = '2s';
LOCK TABLE users IN SHARE UPDATE EXCLUSIVE MODE;)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"LockStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  if (!ctx.stmt().Is("LockStmt")) return;
  for (const TableLock& l : ctx.facts().locks) {
    if (static_cast<int>(l.mode) < static_cast<int>(LockMode::kShare)) continue;
    ctx.Report(l.location,
               "LOCK TABLE " + LockPhrase(l.table, l.mode) + ", until the transaction ends",
               "drop the explicit lock, or use the weakest mode that works, with a lock_timeout");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeBanLockTable() { return std::make_unique<BanLockTable>(); }

}  // namespace strata::lint
