// strata lint through the real binary: paths, stdin, the project's [lint] settings, exit codes
// and the machine-readable outputs teams wire into CI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"
#include "util/process.h"

namespace strata::testing {
namespace {

using ::testing::HasSubstr;

TEST(CliLint, FindingsExitOneCleanExitZero) {
  CliProject p("sqlite::memory:");
  p.Migration("0001_idx.sql", "CREATE INDEX users_email ON users (email);", "DROP INDEX users_email;");
  CliResult r = p.Run({"lint"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("0001_idx.sql:2:1: error[require-concurrent-index]"));
  EXPECT_THAT(r.out, HasSubstr("SHARE lock"));
  EXPECT_THAT(r.out, HasSubstr("^"));  // the caret under the code
  p.Migration("0001_idx.sql", "CREATE INDEX CONCURRENTLY users_email ON users (email);", "DROP INDEX CONCURRENTLY users_email;",
              "-- strata:no-transaction\n");
  r = p.Run({"lint"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("no findings"));
}

TEST(CliLint, ProjectSettingsAndFlags) {
  CliProject p("sqlite::memory:");
  p.Migration("0001_idx.sql", "CREATE INDEX users_email ON users (email);", "DROP INDEX users_email;");
  p.Toml("[lint]\nrules = { require-concurrent-index = \"off\" }\n[services.app]\nmigrations = \"migrations/app\"\n");
  CliResult r = p.Run({"lint"});
  EXPECT_EQ(r.exit_code, 1) << r.out;  // the index rule is off; no statement_timeout is set
  EXPECT_THAT(r.out, HasSubstr("require-statement-timeout"));
  EXPECT_EQ(r.out.find("require-concurrent-index"), std::string::npos);
  p.Toml("[defaults]\nstatement_timeout = \"5min\"\n[lint]\nrules = { require-concurrent-index = \"off\" }\n"
         "[services.app]\nmigrations = \"migrations/app\"\n");
  r = p.Run({"lint"});
  EXPECT_EQ(r.exit_code, 0) << r.out;  // strata apply sets the project's statement_timeout itself
  r = p.Run({"lint", "--rule", "require-concurrent-index=error"});
  EXPECT_THAT(r.out, HasSubstr("require-concurrent-index"));
  EXPECT_EQ(r.exit_code, 1) << r.out;  // a flag wins over the file
  p.Toml("[lint]\npg_version = 9\n[services.app]\n");
  r = p.Run({"lint"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("strata.toml:2"));
}

TEST(CliLint, StdinJsonSarifGithubAndSyntaxErrors) {
  CliProject p("sqlite::memory:");
  std::string sh = "printf 'ALTER TABLE t ADD COLUMN c bigserial;\\nSELEC 1;\\n' | " + StrataBinary() + " lint - --format ";
  auto run = [&](const std::string& format) {
    auto r = RunProcess({"/bin/sh", "-c", sh + format + " 2>/dev/null"});
    EXPECT_TRUE(r.has_value());
    return *r;
  };
  ProcessResult json = run("json");
  EXPECT_EQ(json.exit_code, 1);
  auto j = nlohmann::json::parse(json.output);
  ASSERT_TRUE(j["findings"].is_array());
  std::set<std::string> rules;
  for (const auto& f : j["findings"]) {
    rules.insert(f["rule"]);
    for (const char* key : {"rule", "severity", "file", "line", "column", "message", "help"}) EXPECT_TRUE(f.contains(key)) << key;
  }
  EXPECT_TRUE(rules.count("add-identity-or-serial-column"));
  EXPECT_TRUE(rules.count("syntax-error"));  // reported, not a crash
  auto sarif = nlohmann::json::parse(run("sarif").output);
  EXPECT_EQ(sarif["version"], "2.1.0");
  EXPECT_FALSE(sarif["runs"][0]["results"].empty());
  EXPECT_THAT(run("github").output, HasSubstr("::error file=<stdin>,line=1"));
}

TEST(CliLint, ListRulesAndExplain) {
  CliProject p("sqlite::memory:");
  nlohmann::json rules = p.RunJson({"lint", "--list-rules"});
  ASSERT_TRUE(rules.is_array());
  EXPECT_GE(rules.size(), 30u);
  for (const auto& r : rules) {
    for (const char* key : {"id", "severity", "summary", "squawk", "strong_migrations"}) EXPECT_TRUE(r.contains(key)) << key;
  }
  CliResult r = p.Run({"lint", "--explain", "require-concurrent-index"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("CONCURRENTLY"));
  EXPECT_EQ(p.Run({"lint", "--explain", "no-such-rule"}).exit_code, 2);
}

}  // namespace
}  // namespace strata::testing
