// Rule prefer-bigint: integer/smallint/serial columns overflow; prefer bigint.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class PreferBigint final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "prefer-bigint",
        .severity = Severity::kInfo,
        .summary = R"(integer/smallint/serial columns overflow; prefer bigint)",
        .squawk = {"prefer-bigint-over-int", "prefer-bigint-over-smallint"},
        .strong_migrations = {},
        .explain = R"(Catches columns declared `integer`, `int`, `smallint`, `serial` or `smallserial` in
`CREATE TABLE` and `ADD COLUMN`.

**Effect.** A 32-bit key runs out at 2,147,483,647; changing the type later rewrites the table
under an ACCESS EXCLUSIVE lock (see `column-type-change`). `bigint` costs 4 bytes more per row.

**Safe rewrite.** Declare `bigint` (or `bigserial` / `bigint GENERATED ALWAYS AS IDENTITY`) from
the start.)",
        .bad_example = R"(CREATE TABLE orders (id serial PRIMARY KEY, quantity integer);)",
        .good_example = R"(CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, quantity bigint);)",
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
    if (t != "int4" && t != "int2" && t != "serial" && t != "serial4" && t != "smallserial" &&
        t != "serial2" && t != "int" && t != "integer" && t != "smallint")
      return;
    if (tn != nullptr && !tn->List("arrayBounds").empty()) return;
    ctx.Report(Loc(tn),
               "column " + Q(col.Str("colname")) + " is " + TypeNameDisplay(tn) +
                   ": it overflows at 2^31 (or 2^15), and widening it later rewrites the table "
                   "under an ACCESS EXCLUSIVE lock",
               "declare it bigint (bigserial / bigint GENERATED ALWAYS AS IDENTITY for keys)");
  };
  ForEachDeclaredColumn(ctx, check_column);
  }
};

}  // namespace

std::unique_ptr<Rule> MakePreferBigint() { return std::make_unique<PreferBigint>(); }

}  // namespace strata::lint
