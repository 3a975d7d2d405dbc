// Rule prefer-text: varchar(n)/char(n); prefer text (with a CHECK if a limit is needed).
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class PreferText final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "prefer-text",
        .severity = Severity::kInfo,
        .summary = R"(varchar(n)/char(n); prefer text (with a CHECK if a limit is needed))",
        .squawk = {"prefer-text-field"},
        .strong_migrations = {},
        .explain = R"(Catches columns declared `varchar(n)` or `char(n)` in `CREATE TABLE` and `ADD COLUMN`.

**Effect.** Lowering the limit later rewrites the table under an ACCESS EXCLUSIVE lock, and
`char(n)` pads with spaces. `text` performs the same as `varchar`.

**Safe rewrite.** Declare `text`; if a limit is needed add `CHECK (length(col) <= n)` — a check
can be replaced `NOT VALID` and validated without blocking traffic.)",
        .bad_example = R"(CREATE TABLE users (id bigint, email varchar(255));)",
        .good_example = R"(CREATE TABLE users (id bigint, email text CHECK (length(email) <= 255));)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"CreateStmt", "AlterTableStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  auto check_column = [&](const pg::Node& col) {
    const pg::Node* tn = col.Child("typeName");
    std::string_view t = TypeNameLast(tn);
    if (!((t == "varchar" && TypeModCount(tn) > 0) || t == "bpchar")) return;
    ctx.Report(Loc(tn),
               "column " + Q(col.Str("colname")) + " is " + TypeNameDisplay(tn) +
                   ": changing the limit later may rewrite the table under an ACCESS EXCLUSIVE "
                   "lock",
               "declare it text, with CHECK (length(col) <= n) if a limit is needed");
  };
  ForEachDeclaredColumn(ctx, check_column);
  }
};

}  // namespace

std::unique_ptr<Rule> MakePreferText() { return std::make_unique<PreferText>(); }

}  // namespace strata::lint
