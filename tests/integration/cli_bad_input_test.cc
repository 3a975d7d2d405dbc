// Bad input is rejected whole: a clear message naming file and line, the contract's exit code,
// and nothing applied. Each case starts from a valid project with one defect.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"

namespace fs = std::filesystem;

namespace strata::testing {
namespace {

using ::testing::HasSubstr;

struct BadCase {
  std::string name;
  std::function<void(CliProject&)> setup;          // introduces the defect
  std::vector<std::string> args;                    // the command to run
  int exit_code;
  std::vector<std::string> expect;                  // substrings of the output (file, line, reason)
  bool expect_first_applied = false;                // runtime errors keep earlier migrations
};

void Valid(CliProject& p) {
  p.Migration("0001_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);", "DROP TABLE users;");
  p.Migration("0002_email.sql", "ALTER TABLE users ADD COLUMN email text;", "ALTER TABLE users DROP COLUMN email;");
}

std::vector<BadCase> Cases() {
  const std::string m = "migrations/app/";
  return {
      {"unknown_section", [=](CliProject& p) { p.Write(m + "0003_x.sql", "-- +strata up\nSELECT 1;\n-- +strata sideways\nSELECT 2;\n"); },
       {"apply"}, 2, {"0003_x.sql:3", "unknown section 'sideways'"}},
      {"unknown_directive", [=](CliProject& p) { p.Write(m + "0003_x.sql", "-- strata:transactional no\n-- +strata up\nSELECT 1;\n-- +strata down\n"); },
       {"apply"}, 2, {"0003_x.sql:1", "unknown directive 'strata:transactional'"}},
      {"second_up_section", [=](CliProject& p) { p.Write(m + "0003_x.sql", "-- +strata up\nSELECT 1;\n-- +strata up\n-- +strata down\n"); },
       {"apply"}, 2, {"0003_x.sql:3", "second 'up' section"}},
      {"sql_before_sections", [=](CliProject& p) { p.Write(m + "0003_x.sql", "DROP TABLE users;\n-- +strata up\n-- +strata down\n"); },
       {"apply"}, 2, {"0003_x.sql:1", "before the first section"}},
      {"no_down_no_reason", [=](CliProject& p) { p.Write(m + "0003_x.sql", "-- +strata up\nDROP TABLE users;\n"); },
       {"apply"}, 2, {"0003_x.sql", "strata:irreversible"}},
      {"irreversible_without_reason", [=](CliProject& p) { p.Write(m + "0003_x.sql", "-- strata:irreversible\n-- +strata up\nSELECT 1;\n"); },
       {"apply"}, 2, {"0003_x.sql:1", "needs a reason"}},
      {"duplicate_id", [=](CliProject& p) { p.Migration("0002_again.sql", "SELECT 1;"); },
       {"apply"}, 2, {"duplicate migration id 0002", "0002_again.sql", "0002_email.sql"}},
      {"missing_parent", [=](CliProject& p) { p.Migration("0003_x.sql", "SELECT 1;", "SELECT 1;", "-- strata:parents 0000\n"); },
       {"apply"}, 2, {"0003_x.sql:1", "parent 0000"}},
      {"cycle", [=](CliProject& p) {
         p.Migration("0001_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);", "DROP TABLE users;", "-- strata:parents 0003\n");
         p.Migration("0003_x.sql", "SELECT 1;");
       }, {"apply"}, 2, {"cycle", "->"}},
      {"two_heads", [=](CliProject& p) { p.Migration("0003_x.sql", "SELECT 1;", "SELECT 1;", "-- strata:parents 0001\n"); },
       {"apply"}, 2, {"2 heads (0002, 0003)", "strata new --merge"}},
      {"folder_unknown_yaml_key", [=](CliProject& p) {
         p.Write(m + "0003_x/up.sql", "SELECT 1;\n");
         p.Write(m + "0003_x/down.sql", "SELECT 1;\n");
         p.Write(m + "0003_x/strata.yaml", "no_transaction: false\ntimeout: 5s\n");
       }, {"apply"}, 2, {"strata.yaml:2", "unknown setting 'timeout'"}},
      {"folder_bad_yaml", [=](CliProject& p) {
         p.Write(m + "0003_x/up.sql", "SELECT 1;\n");
         p.Write(m + "0003_x/down.sql", "SELECT 1;\n");
         p.Write(m + "0003_x/strata.yaml", "parents: [0002\n");
       }, {"apply"}, 2, {"strata.yaml:"}},
      {"folder_without_up", [=](CliProject& p) { p.Write(m + "0003_x/down.sql", "SELECT 1;\n"); },
       {"apply"}, 2, {"0003_x", "no up.sql"}},
      {"unreadable_file", [=](CliProject& p) { fs::create_symlink("/nonexistent/file.sql", p.dir() + "/" + m + "0003_x.sql"); },
       {"apply"}, 2, {"0003_x.sql", "cannot read"}},
      {"bad_url", [=](CliProject& p) { p.Toml("[services.app]\n[services.app.targets]\ndev = \"mysql://root:hunter2@db/app\"\n"); },
       {"apply"}, 2, {"strata.toml:3", "unsupported database URL", "mysql://root:****@db/app"}},
      {"bad_port", [=](CliProject& p) { p.Toml("[services.app]\n[services.app.targets]\ndev = \"postgres://u:pw@h:99999/app\"\n"); },
       {"apply"}, 2, {"strata.toml:3", "out of range"}},
      {"unset_variable", [=](CliProject& p) { p.Toml("[services.app]\n[services.app.targets]\ndev = \"${STRATA_NOT_SET_ANYWHERE}\"\n"); },
       {"apply"}, 2, {"strata.toml:3", "STRATA_NOT_SET_ANYWHERE is not set"}},
      {"unknown_service", [](CliProject&) {}, {"--service", "ghost", "apply"}, 2, {"unknown service 'ghost'"}},
      {"unknown_env", [](CliProject&) {}, {"--env", "prod", "apply"}, 2, {"unknown environment 'prod'"}},
      {"toml_syntax", [](CliProject& p) { p.Toml("[services.app\nmigrations = 1\n"); }, {"apply"}, 2, {"strata.toml:1"}},
      {"toml_unknown_key", [](CliProject& p) {
         p.Toml("[services.app]\nmigratons = \"migrations/app\"\n[services.app.targets]\ndev = \"${STRATA_TEST_URL}\"\n");
       }, {"apply"}, 2, {"strata.toml:2", "unknown key 'migratons'"}},
      {"stale_strata_sum", [=](CliProject& p) { p.Migration("0002_email.sql", "ALTER TABLE users ADD COLUMN email varchar(50);"); },
       {"apply"}, 2, {"strata.sum:3", "changed 0002_email.sql"}},
      {"conflict_in_strata_sum", [=](CliProject& p) { p.Write(m + "strata.sum", "<<<<<<< HEAD\nh1:abc\n=======\nh1:def\n>>>>>>> b\n"); },
       {"apply"}, 2, {"strata.sum:1", "git conflict"}},
      {"unterminated_quote", [=](CliProject& p) { p.Migration("0003_x.sql", "INSERT INTO users VALUES (1);\nSELECT 'oops;"); },
       {"apply"}, 2, {"0003_x.sql"}},
      {"unknown_to", [](CliProject&) {}, {"apply", "--to", "0099"}, 2, {"--to 0099"}},
      {"unknown_option", [](CliProject&) {}, {"apply", "--fast"}, 2, {"--fast"}},
      {"sql_error_midway", [=](CliProject& p) {
         p.Migration("0002_email.sql", "ALTER TABLE users ADD COLUMN email text;\nALTER TABLE nope ADD COLUMN x int;",
                     "ALTER TABLE users DROP COLUMN email;");
       }, {"apply"}, 3, {"0002_email.sql:3", "nope"}, true},
  };
}

class BadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInput, RejectedWholeWithFileAndLine) {
  const BadCase& c = GetParam();
  CliProject p(FreshPgDatabase("bad"));
  Valid(p);
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  c.setup(p);
  if (c.name != "stale_strata_sum" && c.name != "conflict_in_strata_sum") (void)p.Run({"hash", "-q"});
  CliResult r = p.Run(c.args);
  EXPECT_EQ(r.exit_code, c.exit_code) << r.out;
  for (const auto& s : c.expect) EXPECT_THAT(r.out, HasSubstr(s)) << c.name;
  EXPECT_THAT(r.out, HasSubstr("strata: ")) << "a one-line error prefix";
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos);
  // Nothing half-applied: either nothing at all, or (runtime error) whole earlier migrations.
  EXPECT_EQ(p.HasTable("users"), c.expect_first_applied) << c.name;
  if (c.expect_first_applied) {
    EXPECT_EQ(p.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'"), "0");
    EXPECT_EQ(p.Scalar("SELECT string_agg(migration_id, ',') FROM strata.history"), "0001");
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, BadInput, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

TEST(BadInputCount, AtLeastTwentyCases) { EXPECT_GE(Cases().size(), 20u); }

}  // namespace
}  // namespace strata::testing
