// Rule ban-vacuum-full: VACUUM FULL rewrites the table under ACCESS EXCLUSIVE.
#include "lint/rules/rule_helpers.h"
#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

using namespace rules;

class BanVacuumFull final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        .id = "ban-vacuum-full",
        .severity = Severity::kError,
        .summary = R"(VACUUM FULL rewrites the table under ACCESS EXCLUSIVE)",
        .squawk = {},
        .strong_migrations = {},
        .explain = R"(Catches `VACUUM FULL`.

**Lock and effect.** It rewrites the table and all indexes while holding an ACCESS EXCLUSIVE
lock: every read and write waits for the rewrite. It cannot run in a transaction either.

**Safe rewrite.** Plain `VACUUM` (SHARE UPDATE EXCLUSIVE, traffic continues), or an online
repacking tool such as `pg_repack` / `pg_squeeze` to give space back to the operating system.)",
        .bad_example = R"(VACUUM FULL users;)",
        .good_example = R"(VACUUM (ANALYZE) users;)",
    };
    return kInfo;
  }

  std::span<const std::string_view> statement_types() const override {
    static constexpr std::string_view kTypes[] = {"VacuumStmt"};
    return kTypes;
  }

  void Check(RuleContext& ctx) const override {
  const pg::Node& s = ctx.stmt();
  if (!s.Is("VacuumStmt") || !s.Bool("is_vacuumcmd") || !HasOption(s, "options", "full")) return;
  std::string tables;
  for (const TableLock& l : ctx.facts().locks) tables += (tables.empty() ? "" : ", ") + Q(l.table);
  ctx.Report(-1,
             "VACUUM FULL rewrites " + (tables.empty() ? std::string("every table") : tables) +
                 " while it " + LockPhrase(tables.empty() ? "each table" : "it", LockMode::kAccessExclusive),
             "plain VACUUM, or pg_repack / pg_squeeze to reclaim space online");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeBanVacuumFull() { return std::make_unique<BanVacuumFull>(); }

}  // namespace strata::lint
