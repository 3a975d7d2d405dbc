// Rule add-identity-or-serial-column: ADD COLUMN serial/bigserial/GENERATED AS IDENTITY rewrites the table.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class AddIdentityOrSerialColumn final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "add-identity-or-serial-column",
        .severity = Severity::kError,
        .summary = R"(ADD COLUMN serial/bigserial/GENERATED AS IDENTITY rewrites the table)",
        .squawk = {"adding-serial-primary-key-field"},
        .strong_migrations = {},
        .explain = R"(Catches `ALTER TABLE … ADD COLUMN` of type `serial`, `bigserial`, `smallserial` or with
`GENERATED … AS IDENTITY` on an existing table.

**Lock and effect.** Every existing row needs its own value from the sequence: PostgreSQL
rewrites the table and all indexes under an ACCESS EXCLUSIVE lock, blocking all reads and writes
for the rewrite. (squawk misses this rewrite for identity columns.)

**Safe rewrite.** Add a nullable `bigint` column, create a sequence and set the column's default
to `nextval(…)` for new rows (`ALTER COLUMN … SET DEFAULT`, no rewrite), backfill old rows in
batches, then add NOT NULL safely; or `ALTER COLUMN … ADD GENERATED AS IDENTITY` on the filled
column (catalog-only).)",
        .bad_example = R"(ALTER TABLE events ADD COLUMN seq bigserial;)",
        .good_example = R"(ALTER TABLE events ADD COLUMN seq bigint;
CREATE SEQUENCE events_seq_seq OWNED BY events.seq;
ALTER TABLE events ALTER COLUMN seq SET DEFAULT nextval('events_seq_seq');
-- then backfill in batches)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"AlterTableStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  if (!Existing(ctx, Rel(ctx))) return;
  for (const pg::Node* cmd : AlterCmds(ctx)) {
    const pg::Node* def = cmd->Child("def");
    if (cmd->Str("subtype") != "AT_AddColumn" || def == nullptr) continue;
    std::string_view type = TypeNameLast(def->Child("typeName"));
    bool serial = type == "serial" || type == "bigserial" || type == "smallserial" ||
                  type == "serial4" || type == "serial8" || type == "serial2";
    const pg::Node* identity = ColumnConstraint(*def, "CONSTR_IDENTITY");
    if (!serial && identity == nullptr) continue;
    ctx.Report(identity != nullptr ? Loc(identity) : Loc(def->Child("typeName")),
               "ADD COLUMN " + Q(def->Str("colname")) +
                   (serial ? " " + std::string(type) : std::string(" GENERATED AS IDENTITY")) +
                   " fills every existing row from a sequence: it rewrites the table and its "
                   "indexes while it " +
                   LockPhrase(RelationName(Rel(ctx)), LockMode::kAccessExclusive),
               "ADD COLUMN … bigint (nullable); SET DEFAULT nextval(…) for new rows; backfill in "
               "batches");
  }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeAddIdentityOrSerialColumn() { return std::make_unique<AddIdentityOrSerialColumn>(); }

}  // namespace strata::lint
