// The linter's file handling: sections, line numbers, transactions, suppressions, settings,
// syntax errors.
#include "lint/linter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace strata::lint {
namespace {

std::vector<std::string> Ids(const std::vector<Finding>& f) {
  std::vector<std::string> out;
  for (const auto& x : f) out.push_back(x.rule);
  return out;
}

bool Has(const std::vector<Finding>& f, std::string_view rule) {
  for (const auto& x : f) {
    if (x.rule == rule) return true;
  }
  return false;
}

TEST(LinterTest, MigrationFileLintsOnlyTheUpSectionWithFileLineNumbers) {
  std::string file =
      "-- strata:parents 0001\n"
      "-- +strata up\n"
      "SET lock_timeout = '1s';\n"
      "CREATE INDEX idx ON users (email);\n"
      "-- +strata down\n"
      "DROP TABLE users;\n"
      "-- +strata verify\n"
      "TRUNCATE users;\n";
  LintOptions o;
  o.runner_sets_statement_timeout = true;
  auto f = LintFileText(file, "m/0002_idx.sql", o);
  ASSERT_EQ(f.size(), 1u) << ::testing::PrintToString(Ids(f));
  EXPECT_EQ(f[0].rule, "require-concurrent-index");
  EXPECT_EQ(f[0].file, "m/0002_idx.sql");
  EXPECT_EQ(f[0].line, 4);
  EXPECT_EQ(f[0].column, 1);
  EXPECT_EQ(f[0].source_line, "CREATE INDEX idx ON users (email);");
}

TEST(LinterTest, MigrationRunsInOneTransactionUnlessItSaysNoTransaction) {
  std::string txn = "-- +strata up\nCREATE INDEX CONCURRENTLY i ON users (email);\n";
  std::string no_txn = "-- strata:no-transaction\n" + txn;
  LintOptions o;
  EXPECT_TRUE(Has(LintFileText(txn, "a.sql", o), "concurrently-in-transaction"));
  EXPECT_FALSE(Has(LintFileText(no_txn, "a.sql", o), "concurrently-in-transaction"));
  // A plain file is not a transaction unless asked.
  std::string plain = "CREATE INDEX CONCURRENTLY i ON users (email);\n";
  EXPECT_FALSE(Has(LintFileText(plain, "a.sql", o), "concurrently-in-transaction"));
  o.assume_in_transaction = true;
  EXPECT_TRUE(Has(LintFileText(plain, "a.sql", o), "concurrently-in-transaction"));
}

TEST(LinterTest, LintSqlKeepsTheCallersLineNumbers) {
  LintOptions o;
  auto f = LintSql("SELECT 1;\nDROP INDEX i;", "m/0003.sql", 10, false, o);
  ASSERT_TRUE(Has(f, "require-concurrent-index-drop"));
  EXPECT_EQ(f[0].line, 11);
}

TEST(LinterTest, TrailingAndFileWideSuppressions) {
  LintOptions o;
  auto f = LintSql(
      "ALTER TABLE a DROP COLUMN x; -- strata:ignore ban-drop-column gone since v3\n"
      "ALTER TABLE b DROP COLUMN y;\n",
      "s.sql", 1, false, o);
  std::vector<Finding> drops;
  for (auto& x : f) {
    if (x.rule == "ban-drop-column") drops.push_back(x);
  }
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].line, 2);
  auto g = LintSql(
      "-- strata:ignore-file ban-drop-column cleanup migration, columns unused\n"
      "ALTER TABLE a DROP COLUMN x;\nALTER TABLE b DROP COLUMN y;\n",
      "s.sql", 1, false, o);
  EXPECT_FALSE(Has(g, "ban-drop-column"));
}

TEST(LinterTest, SuppressionWithoutReasonOrWithUnknownRuleIsAFinding) {
  LintOptions o;
  auto f = LintSql("-- strata:ignore ban-drop-column\nALTER TABLE a DROP COLUMN x;", "s.sql", 1,
                   false, o);
  EXPECT_TRUE(Has(f, "invalid-ignore"));
  EXPECT_TRUE(Has(f, "ban-drop-column"));  // not applied
  auto g = LintSql("-- strata:ignore no-such-rule because\nSELECT 1;", "s.sql", 1, false, o);
  ASSERT_TRUE(Has(g, "invalid-ignore"));
  EXPECT_NE(g[0].message.find("no-such-rule"), std::string::npos);
}

TEST(LinterTest, SeverityOverridesAndDisabledRules) {
  LintOptions o;
  ASSERT_TRUE(ApplyRuleSetting(o, "ban-drop-column=error"));
  auto f = LintSql("ALTER TABLE a DROP COLUMN x;", "s.sql", 1, false, o);
  ASSERT_TRUE(Has(f, "ban-drop-column"));
  for (auto& x : f) {
    if (x.rule == "ban-drop-column") {
      EXPECT_EQ(x.severity, Severity::kError);
    }
  }
  ASSERT_TRUE(ApplyRuleSetting(o, "ban-drop-column=off"));
  EXPECT_FALSE(Has(LintSql("ALTER TABLE a DROP COLUMN x;", "s.sql", 1, false, o), "ban-drop-column"));
  EXPECT_FALSE(ApplyRuleSetting(o, "no-such-rule=error"));
  EXPECT_FALSE(ApplyRuleSetting(o, "ban-drop-column=loud"));
  EXPECT_FALSE(ApplyRuleSetting(o, "ban-drop-column"));
  LintOptions bad;
  bad.pg_major = 9;
  EXPECT_FALSE(ValidateOptions(bad));
  EXPECT_TRUE(ValidateOptions(LintOptions{}));
}

TEST(LinterTest, TargetVersionChangesFindings) {
  LintOptions o;
  std::string sql = "ALTER TABLE users ADD COLUMN active boolean DEFAULT true;";
  EXPECT_FALSE(Has(LintSql(sql, "v.sql", 1, false, o), "volatile-default"));
  o.pg_major = 10;
  EXPECT_TRUE(Has(LintSql(sql, "v.sql", 1, false, o), "volatile-default"));
}

TEST(LinterTest, SyntaxErrorIsAFindingAndTheRestIsStillLinted) {
  LintOptions o;
  auto f = LintSql("SELECT 1;\nALTER TABLE users ADD COLUM email text;\nDROP INDEX i;", "e.sql",
                   1, false, o);
  ASSERT_TRUE(Has(f, "syntax-error"));
  EXPECT_EQ(f[0].rule, "syntax-error");
  EXPECT_EQ(f[0].line, 2);
  // PostgreSQL reads COLUM as the column name and email as its type: it stops at "text".
  EXPECT_EQ(f[0].column, 35);
  EXPECT_NE(f[0].message.find("syntax error at or near \"text\""), std::string::npos);
  EXPECT_TRUE(Has(f, "require-concurrent-index-drop"));
}

TEST(LinterTest, UnterminatedQuoteIsASyntaxErrorNotACrash) {
  LintOptions o;
  for (const char* sql : {"SELECT 'abc", "SELECT $$abc", "/* never closed", "ALTER TABLE", "",
                          ";;;", "\xff\xfe garbage"}) {
    auto f = LintSql(sql, "q.sql", 1, false, o);
    for (auto& x : f) EXPECT_EQ(x.rule, "syntax-error") << sql;
  }
  EXPECT_TRUE(Has(LintSql("SELECT 'abc", "q.sql", 1, false, o), "syntax-error"));
}

TEST(LinterTest, ColumnsCountCharactersNotBytes) {
  LintOptions o;
  auto f = LintSql("/* é */ DROP INDEX i;", "u.sql", 1, false, o);
  ASSERT_TRUE(Has(f, "require-concurrent-index-drop"));
  EXPECT_EQ(f[0].column, 9);
}

TEST(LinterTest, LintPathsWalksFoldersSkipsDownAndReportsMissingPaths) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("strata_lint_paths_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "0002_idx");
  std::ofstream(dir / "0001_a.sql") << "-- +strata up\nALTER TABLE a DROP COLUMN x;\n-- +strata down\nSELECT 1;\n";
  std::ofstream(dir / "0002_idx" / "up.sql") << "CREATE INDEX CONCURRENTLY i ON users (email);\n";
  std::ofstream(dir / "0002_idx" / "down.sql") << "DROP TABLE users;\n";
  LintOptions o;
  LintStats stats;
  auto r = LintPaths({dir.string()}, o, &stats);
  ASSERT_TRUE(r);
  EXPECT_EQ(stats.files, 2);
  EXPECT_EQ(stats.statements, 2);
  EXPECT_TRUE(Has(*r, "ban-drop-column"));
  EXPECT_TRUE(Has(*r, "concurrently-in-transaction"));  // up.sql of a folder migration
  EXPECT_FALSE(Has(*r, "ban-drop-table"));              // down.sql skipped
  std::ofstream(dir / "0002_idx" / "strata.yaml") << "no_transaction: true\n";
  auto r2 = LintPaths({dir.string()}, o, nullptr);
  ASSERT_TRUE(r2);
  EXPECT_FALSE(Has(*r2, "concurrently-in-transaction"));
  EXPECT_FALSE(LintPaths({(dir / "missing.sql").string()}, o, nullptr));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace strata::lint
