// strata diff end to end: a target against a snapshot file and against itself, two git refs
// replayed in a sandbox, --ignore-column-order, and bad arguments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"
#include "util/process.h"

namespace strata::testing {
namespace {

using ::testing::HasSubstr;

void Git(const CliProject& p, std::vector<std::string> args) {
  std::vector<std::string> argv = {"git", "-C", p.dir(), "-c", "user.name=t", "-c", "user.email=t@example.com"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = RunProcess(argv);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->exit_code, 0) << r->output;
}

TEST(CliDiffTest, TargetAgainstSnapshotFileAndItself) {
  CliProject p(FreshPgDatabase("clidiff"));
  p.Migration("0001_items.sql", "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);", "DROP TABLE items;");
  ASSERT_EQ(p.HashAndApply().exit_code, 0);
  CliResult dump = p.Run({"schema", "dump", "--json"});
  ASSERT_EQ(dump.exit_code, 0) << dump.out;
  p.Write("before.json", dump.out);

  CliResult same = p.Run({"diff", "before.json", "app@dev"});
  EXPECT_EQ(same.exit_code, 0) << same.out;
  EXPECT_THAT(same.out, HasSubstr("same schema"));

  auto db = p.Connect();
  ASSERT_TRUE(db->Exec("ALTER TABLE items ALTER COLUMN name DROP NOT NULL; ALTER TABLE items ADD COLUMN price numeric;"
                       "CREATE INDEX items_name ON items (name)"));
  CliResult text = p.Run({"diff", "before.json", "app@dev"});
  EXPECT_EQ(text.exit_code, 1) << text.out;
  EXPECT_THAT(text.out, HasSubstr("+ column public.items.price"));
  EXPECT_THAT(text.out, HasSubstr("~ column public.items.name: nullable: false → true"));
  EXPECT_THAT(text.out, HasSubstr("+ index public.items_name"));
  EXPECT_THAT(text.out, HasSubstr("2 added, 0 removed, 1 changed"));

  int code = -1;
  nlohmann::json j = p.RunJson({"diff", "app@dev", "before.json"}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["equal"], false);
  EXPECT_EQ(j["removed"], 2);  // reversed direction: what B lacks
  EXPECT_EQ(j["a"]["kind"], "target");
  EXPECT_EQ(j["b"]["kind"], "file");

  CliResult self = p.Run({"diff", "dev", p.url()});
  EXPECT_EQ(self.exit_code, 0) << self.out;
}

TEST(CliDiffTest, ColumnOrderMattersUnlessIgnored) {
  CliProject p(FreshPgDatabase("clidifforder"));
  std::string other = FreshPgDatabase("clidifforder2");
  auto a = p.Connect();
  ASSERT_TRUE(a->Exec("CREATE TABLE t (a int, b text)"));
  CliProject q(other);
  auto b = q.Connect();
  ASSERT_TRUE(b->Exec("CREATE TABLE t (b text, a int)"));
  CliResult strict = p.Run({"diff", p.url(), other});
  EXPECT_EQ(strict.exit_code, 1) << strict.out;
  EXPECT_THAT(strict.out, HasSubstr("~ table public.t: column order: [\"a\",\"b\"] → [\"b\",\"a\"]"));
  CliResult loose = p.Run({"diff", p.url(), other, "--ignore-column-order"});
  EXPECT_EQ(loose.exit_code, 0) << loose.out;
}

TEST(CliDiffTest, TwoGitRefsReplayedInASandbox) {
  CliProject p(FreshPgDatabase("clidiffgit"));
  p.Write(".gitignore", ".strata/\n");
  p.Migration("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY);", "DROP TABLE users;");
  Git(p, {"init", "-q", "-b", "main"});
  Git(p, {"add", "."});
  Git(p, {"commit", "-q", "-m", "base"});
  Git(p, {"checkout", "-q", "-b", "feature"});
  p.Migration("0002_email.sql", "ALTER TABLE users ADD COLUMN email text; CREATE INDEX users_email ON users (email);",
              "DROP INDEX users_email; ALTER TABLE users DROP COLUMN email;");
  Git(p, {"add", "."});
  Git(p, {"commit", "-q", "-m", "email"});

  CliResult r = p.Run({"diff", "main", "feature"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("+ column public.users.email"));
  EXPECT_THAT(r.out, HasSubstr("+ index public.users_email"));
  CliResult same = p.Run({"diff", "git:main", "main"});
  EXPECT_EQ(same.exit_code, 0) << same.out;
  // Nothing was applied to the target itself.
  EXPECT_FALSE(p.HasTable("users"));
}

TEST(CliDiffTest, BadArgumentsAreUsageErrors) {
  CliProject p(FreshPgDatabase("clidiffbad"));
  CliResult r = p.Run({"diff", "nowhere", "app@dev"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("'nowhere' is no database URL, snapshot file, target, environment or git ref"));
  p.Write("bad.json", "{\"targets\": 3}");
  CliResult bad = p.Run({"diff", "bad.json", "app@dev"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("bad.json: not a schema snapshot"));
  CliResult pw = p.Run({"diff", "postgres://u:s3cret@127.0.0.1:1/x", "app@dev"});
  EXPECT_EQ(pw.exit_code, 3) << pw.out;
  EXPECT_THAT(pw.out, ::testing::Not(HasSubstr("s3cret")));
}

}  // namespace
}  // namespace strata::testing
