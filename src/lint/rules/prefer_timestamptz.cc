// Rule prefer-timestamptz: timestamp without time zone; prefer timestamptz.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class PreferTimestamptz final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "prefer-timestamptz",
        .severity = Severity::kWarning,
        .summary = R"(timestamp without time zone; prefer timestamptz)",
        .squawk = {"prefer-timestamptz"},
        .strong_migrations = {},
        .explain = R"(Catches columns declared `timestamp` / `timestamp without time zone` in `CREATE TABLE`,
`ADD COLUMN` and `ALTER COLUMN TYPE`.

**Effect.** `timestamp` stores wall-clock time without a zone: values written by services in
different zones (or across a DST change) cannot be compared, and converting later to
`timestamptz` rewrites the table unless the session TimeZone is UTC.

**Safe rewrite.** Declare `timestamptz` (`timestamp with time zone`); it stores an instant.)",
        .bad_example = R"(CREATE TABLE events (id bigint, happened_at timestamp);)",
        .good_example = R"(CREATE TABLE events (id bigint, happened_at timestamptz);)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"CreateStmt", "AlterTableStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  auto check_type = [&](const pg::Node* tn, std::string_view col) {
    if (TypeNameLast(tn) != "timestamp") return;
    ctx.Report(Loc(tn),
               "column " + Q(col) + " is timestamp without time zone: values from different "
               "zones cannot be compared, and converting later may rewrite the table under an "
               "ACCESS EXCLUSIVE lock",
               "declare it timestamptz");
  };
  const pg::Node& s = ctx.stmt();
  if (s.Is("CreateStmt")) {
    for (const pg::Node* e : s.List("tableElts")) {
      if (e->Is("ColumnDef")) check_type(e->Child("typeName"), e->Str("colname"));
    }
  }
  for (const pg::Node* cmd : AlterCmds(ctx)) {
    const pg::Node* def = cmd->Child("def");
    if (def == nullptr) continue;
    if (cmd->Str("subtype") == "AT_AddColumn") check_type(def->Child("typeName"), def->Str("colname"));
    if (cmd->Str("subtype") == "AT_AlterColumnType") check_type(def->Child("typeName"), cmd->Str("name"));
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakePreferTimestamptz() { return std::make_unique<PreferTimestamptz>(); }

}  // namespace strata::lint
