// Rule enum-rename-value: ALTER TYPE … RENAME VALUE breaks application versions that use the old label.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class EnumRenameValue final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "enum-rename-value",
        .severity = Severity::kWarning,
        .summary = R"(ALTER TYPE … RENAME VALUE breaks application versions that use the old label)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `ALTER TYPE … RENAME VALUE 'a' TO 'b'` on an enum.

**Lock and effect.** No table lock, but from the commit on every running application version
that writes or compares the old label fails (`invalid input value for enum`).

**Safe rewrite.** Add the new value (`ALTER TYPE … ADD VALUE 'b'`), move the application to
write it, update the rows in batches, and keep the old label (enum values cannot be dropped).)",
        .bad_example = R"(ALTER TYPE order_status RENAME VALUE 'shipped' TO 'dispatched';)",
        .good_example = R"(ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'dispatched';)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"AlterEnumStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("AlterEnumStmt") || !s.Has("oldVal")) return;
  ctx.Report(-1,
             "RENAME VALUE " + Q(s.Str("oldVal")) + " TO " + Q(s.Str("newVal")) + " of enum " +
                 JoinNames(s, "typeName") +
                 " breaks every running application version that uses the old label (no table "
                 "lock, but its queries fail)",
             "ADD VALUE the new label, move the application, update rows in batches; keep the old "
             "label");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeEnumRenameValue() { return std::make_unique<EnumRenameValue>(); }

}  // namespace strata::lint
