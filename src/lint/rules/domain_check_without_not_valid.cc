// Rule domain-check-without-not-valid: ALTER DOMAIN ADD CONSTRAINT scans every table using the domain while blocking writes.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class DomainCheckWithoutNotValid final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "domain-check-without-not-valid",
        .severity = Severity::kWarning,
        .summary = R"(ALTER DOMAIN ADD CONSTRAINT scans every table using the domain while blocking writes)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `ALTER DOMAIN … ADD CONSTRAINT … CHECK (…)` without `NOT VALID`.

**Lock and effect.** PostgreSQL takes a SHARE lock on every table with a column of that domain
and checks every such row: writes to all of those tables wait for the scans.

**Safe rewrite.** `ALTER DOMAIN … ADD CONSTRAINT … CHECK (…) NOT VALID`, then
`ALTER DOMAIN … VALIDATE CONSTRAINT …` in a later transaction.)",
        .bad_example = R"(ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');)",
        .good_example = R"(ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%') NOT VALID;)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"AlterDomainStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("AlterDomainStmt") || s.Str("subtype") != "C") return;
  const pg::Node* def = s.Child("def");
  if (def == nullptr || def->Bool("skip_validation")) return;
  ctx.Report(Loc(def),
             "ALTER DOMAIN " + JoinNames(s, "typeName") +
                 " ADD CONSTRAINT takes a SHARE lock on every table using the domain (blocks all "
                 "their writes) while it checks every row",
             "ADD CONSTRAINT … NOT VALID; then ALTER DOMAIN … VALIDATE CONSTRAINT in a later "
             "transaction");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeDomainCheckWithoutNotValid() { return std::make_unique<DomainCheckWithoutNotValid>(); }

}  // namespace strata::lint
