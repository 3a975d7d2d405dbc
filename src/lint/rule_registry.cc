#include "lint/rule_registry.h"

#include "lint/rules/rules.h"

namespace strata::lint {
namespace {

std::vector<std::unique_ptr<Rule>> BuildRules() {
  std::vector<std::unique_ptr<Rule>> v;
  // The one list of rules (no static self-registration). Keep docs/rules/ in step.
    v.push_back(MakeRequireConcurrentIndex());
    v.push_back(MakeRequireConcurrentIndexDrop());
    v.push_back(MakeRequireConcurrentReindex());
    v.push_back(MakeConcurrentlyInTransaction());
    v.push_back(MakeForeignKeyWithoutNotValid());
    v.push_back(MakeCheckWithoutNotValid());
    v.push_back(MakeValidateInSameTransaction());
    v.push_back(MakeRequireUniqueUsingIndex());
    v.push_back(MakeRequirePrimaryKeyUsingIndex());
    v.push_back(MakeBanAddExclusionConstraint());
    v.push_back(MakeVolatileDefault());
    v.push_back(MakeColumnTypeChange());
    v.push_back(MakeAddIdentityOrSerialColumn());
    v.push_back(MakeAddStoredGeneratedColumn());
    v.push_back(MakeNotNullColumnWithoutDefault());
    v.push_back(MakeRequireCheckForSetNotNull());
    v.push_back(MakeBanDropColumn());
    v.push_back(MakeRenameColumn());
    v.push_back(MakeRenameTable());
    v.push_back(MakeBanDropTable());
    v.push_back(MakeEnumRenameValue());
    v.push_back(MakeEnumAddValueInTransaction());
    v.push_back(MakeRequireLockTimeout());
    v.push_back(MakeRequireStatementTimeout());
    v.push_back(MakeStatementAfterAccessExclusive());
    v.push_back(MakeBanVacuumFull());
    v.push_back(MakeBanCluster());
    v.push_back(MakeBanLockTable());
    v.push_back(MakeRequireConcurrentRefresh());
    v.push_back(MakeBanTruncate());
    v.push_back(MakeAttachPartitionWithoutCheck());
    v.push_back(MakeRequireConcurrentDetach());
    v.push_back(MakePreferBigint());
    v.push_back(MakePreferTimestamptz());
    v.push_back(MakePreferText());
    v.push_back(MakeWholeTableUpdate());
    v.push_back(MakeDomainCheckWithoutNotValid());
    v.push_back(MakeAlterTableRewrite());
  return v;
}

}  // namespace

const std::vector<std::unique_ptr<Rule>>& AllRules() {
  static const std::vector<std::unique_ptr<Rule>> kRules = BuildRules();
  return kRules;
}

const Rule* FindRule(std::string_view id) {
  for (const auto& r : AllRules()) {
    if (r->info().id == id) return r.get();
  }
  return nullptr;
}

const RuleInfo& SyntaxErrorInfo() {
  static const RuleInfo kInfo{
      .id = "syntax-error",
      .severity = Severity::kError,
      .summary = "PostgreSQL's parser rejects the statement",
      .squawk = {},
      .strong_migrations = {},
      .explain = R"(Reported when PostgreSQL 15's own grammar (libpg_query) cannot parse a statement. The
message is the parser's, and the position is where it stopped. The rest of the file is still
linted: strata re-parses statement by statement and reports each unparseable one.

**Effect.** The migration would fail on the server at that statement; statements before it may
already have run when the file is not one transaction.

**Fix.** Correct the SQL. PL/pgSQL function bodies are not parsed (only their `CREATE FUNCTION`
wrapper).)",
      .bad_example = "ALTER TABLE users ADD COLUM email text;",
      .good_example = "ALTER TABLE users ADD COLUMN email text;",
  };
  return kInfo;
}

const RuleInfo& InvalidIgnoreInfo() {
  static const RuleInfo kInfo{
      .id = "invalid-ignore",
      .severity = Severity::kWarning,
      .summary = "A -- strata:ignore comment without a reason, or naming an unknown rule",
      .squawk = {},
      .strong_migrations = {},
      .explain = R"(Findings are suppressed with a comment `-- strata:ignore RULE[,RULE…] reason` on the line
before the statement (or at the end of its line); `-- strata:ignore-file RULE reason` anywhere
suppresses the rule for the whole file. The reason is required: it tells the next reader why
the risk is acceptable.

This rule reports a suppression without a reason (it is then not applied) and one naming a rule
id strata does not know (a typo would silently suppress nothing).)",
      .bad_example = R"(-- strata:ignore ban-drop-column
ALTER TABLE users DROP COLUMN legacy_flag;)",
      .good_example = R"(-- strata:ignore ban-drop-column unused since release 42
ALTER TABLE users DROP COLUMN legacy_flag;)",
  };
  return kInfo;
}

std::vector<const RuleInfo*> AllRuleInfos() {
  std::vector<const RuleInfo*> out;
  for (const auto& r : AllRules()) out.push_back(&r->info());
  out.push_back(&SyntaxErrorInfo());
  out.push_back(&InvalidIgnoreInfo());
  return out;
}

const RuleInfo* FindRuleInfo(std::string_view id) {
  for (const RuleInfo* i : AllRuleInfos()) {
    if (i->id == id) return i;
  }
  return nullptr;
}

}  // namespace strata::lint
