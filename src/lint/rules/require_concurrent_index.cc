// Rule require-concurrent-index: CREATE INDEX without CONCURRENTLY blocks writes for the whole index build.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class RequireConcurrentIndex final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "require-concurrent-index",
        .severity = Severity::kError,
        .summary = R"(CREATE INDEX without CONCURRENTLY blocks writes for the whole index build)",
        .squawk = {"require-concurrent-index-creation"},
        .strong_migrations = {"add_index"},
        .explain = R"(Catches `CREATE [UNIQUE] INDEX` on an existing table without `CONCURRENTLY`.

**Lock and effect.** A plain `CREATE INDEX` takes a SHARE lock on the table for the whole build,
which reads every row: all INSERT, UPDATE and DELETE on the table wait until it finishes,
minutes on a large table. Reads continue.

**Safe rewrite.** Build the index with `CREATE INDEX CONCURRENTLY` (SHARE UPDATE EXCLUSIVE: reads
and writes continue). It cannot run inside a transaction block, so put it in its own migration
marked `-- strata:no-transaction`. If it fails it leaves an INVALID index: drop it with
`DROP INDEX CONCURRENTLY` and retry.

Indexes on tables created earlier in the same file are not reported: nobody uses those tables
yet.)",
        .bad_example = R"(CREATE INDEX idx_users_email ON users (email);)",
        .good_example = R"(-- strata:no-transaction
CREATE INDEX CONCURRENTLY idx_users_email ON users (email);)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"IndexStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("IndexStmt") || s.Bool("concurrent") || !Existing(ctx, Rel(ctx))) return;
  ctx.Report(-1,
             std::string(s.Bool("unique") ? "CREATE UNIQUE INDEX" : "CREATE INDEX") +
                 " without CONCURRENTLY " + LockPhrase(RelationName(Rel(ctx)), LockMode::kShare) +
                 ", for the whole index build (a full scan of the table)",
             "CREATE INDEX CONCURRENTLY, alone in a migration marked -- strata:no-transaction",
             12);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRequireConcurrentIndex() { return std::make_unique<RequireConcurrentIndex>(); }

}  // namespace strata::lint
