// Rule require-concurrent-refresh: REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RequireConcurrentRefresh final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "require-concurrent-refresh",
        .severity = Severity::kWarning,
        .summary = R"(REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY`.

**Lock and effect.** It rebuilds the view under an ACCESS EXCLUSIVE lock on it: every query
reading the view waits for the whole refresh.

**Safe rewrite.** `REFRESH MATERIALIZED VIEW CONCURRENTLY` (EXCLUSIVE lock: reads continue,
only other refreshes wait). It needs a unique index on the view that covers all rows.)",
        .bad_example = R"(REFRESH MATERIALIZED VIEW daily_totals;)",
        .good_example = R"(REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"RefreshMatViewStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("RefreshMatViewStmt") || s.Bool("concurrent")) return;
  if (s.Bool("skipData")) return;  // WITH NO DATA empties the view on purpose
  ctx.Report(-1,
             "REFRESH MATERIALIZED VIEW without CONCURRENTLY " +
                 LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive) +
                 ", for the whole refresh",
             "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view)");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRequireConcurrentRefresh() { return std::make_unique<RequireConcurrentRefresh>(); }

}  // namespace strata::lint
