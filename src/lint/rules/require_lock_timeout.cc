// Rule require-lock-timeout: A blocking lock is requested without a lock_timeout.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RequireLockTimeout final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "require-lock-timeout",
        .severity = Severity::kWarning,
        .summary = R"(A blocking lock is requested without a lock_timeout)",
        .squawk = {"require-timeout-settings"},
        .strong_migrations = {},
        .explain = R"(Catches the first statement of a file that requests a lock blocking writes or reads
(SHARE or stronger) on an existing table when no `SET lock_timeout` came before it (and the
caller did not say the migration runner sets one).

**Lock and effect.** Lock requests queue first come, first served: if the statement waits behind
one long transaction, every later query on the table queues behind *it*, and the table is
offline until the long transaction ends.

**Safe rewrite.** `SET lock_timeout = '2s';` (or `SET LOCAL` inside the transaction) at the top of
the migration and retry on timeout; `strata apply` retries lock timeouts with backoff.)",
        .bad_example = R"(ALTER TABLE users ADD COLUMN nickname text;)",
        .good_example = R"(SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN nickname text;)",
    };
    return kInfo;
  }

  void Check(RuleContext& ctx) const override {
  if (ctx.state().lock_timeout_set || ctx.state().lock_timeout_reported) return;
  const TableLock* t = ctx.facts().StrongestTarget();
  if (t == nullptr || static_cast<int>(t->mode) < static_cast<int>(LockMode::kShare)) return;
  std::string_view bare = t->table;
  if (auto dot = bare.rfind('.'); dot != std::string_view::npos) bare = bare.substr(dot + 1);
  if (ctx.state().IsNewTable(bare)) return;
  ctx.Report(t->location,
             ctx.facts().kind + " requests " + std::string(LockModeName(t->mode)) +
                 " on " + Q(t->table) +
                 " without a lock_timeout: while it waits behind a long transaction every later "
                 "query on the table queues behind it (" +
                 std::string(LockEffect(t->mode)) + ")",
             "SET lock_timeout = '2s'; at the top of the migration, and retry on timeout");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRequireLockTimeout() { return std::make_unique<RequireLockTimeout>(); }

}  // namespace strata::lint
