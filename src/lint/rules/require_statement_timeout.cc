// Rule require-statement-timeout: A scan or rewrite under a blocking lock runs without a statement_timeout.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RequireStatementTimeout final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "require-statement-timeout",
        .severity = Severity::kWarning,
        .summary = R"(A scan or rewrite under a blocking lock runs without a statement_timeout)",
        .squawk = {"require-timeout-settings"},
        .strong_migrations = {},
        .explain = R"(Catches the first statement of a file that scans or rewrites an existing table while
holding a lock that blocks writes (SHARE or stronger), when no `SET statement_timeout` came before
it (and the caller did not say the migration runner sets one).

**Lock and effect.** The statement blocks writes (or reads and writes) for as long as the scan
takes; without a statement timeout a table larger than expected turns into an outage of unknown
length.

**Safe rewrite.** `SET statement_timeout = '5min';` (or a budget your service tolerates) before
the statement; better, use the non-blocking form the other rules suggest.)",
        .bad_example = R"(CREATE INDEX idx_users_email ON users (email);)",
        .good_example = R"(SET statement_timeout = '5min';
CREATE INDEX idx_users_email ON users (email); -- strata:ignore require-concurrent-index table has 100 rows)",
    };
    return kInfo;
  }

  void Check(RuleContext& ctx) const override {
  if (ctx.state().statement_timeout_set || ctx.state().statement_timeout_reported) return;
  if (!ctx.facts().scan && !ctx.facts().rewrite) return;
  const TableLock* t = ctx.facts().StrongestTarget();
  if (t == nullptr || static_cast<int>(t->mode) < static_cast<int>(LockMode::kShare)) return;
  std::string_view bare = t->table;
  if (auto dot = bare.rfind('.'); dot != std::string_view::npos) bare = bare.substr(dot + 1);
  if (ctx.state().IsNewTable(bare)) return;
  ctx.Report(t->location,
             ctx.facts().kind + (ctx.facts().rewrite ? " rewrites " : " scans ") + Q(t->table) +
                 " under " + std::string(LockModeName(t->mode)) + " (" +
                 std::string(LockEffect(t->mode)) + ") without a statement_timeout",
             "SET statement_timeout = '5min'; (a budget your service tolerates) before it");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRequireStatementTimeout() { return std::make_unique<RequireStatementTimeout>(); }

}  // namespace strata::lint
