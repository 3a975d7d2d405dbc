// strata drift end to end: a target that matches its history, then hand-made changes (an extra
// index, a dropped column, a changed default) that drift must find and classify; status --drift.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"

namespace strata::testing {
namespace {

using ::testing::HasSubstr;

TEST(CliDriftTest, FindsHandMadeChangesAndMissingObjects) {
  CliProject p(FreshPgDatabase("clidrift"));
  p.Migration("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY, name text, plan text DEFAULT 'free');",
              "DROP TABLE users;");
  p.Migration("0002_email.sql", "ALTER TABLE users ADD COLUMN email text;", "ALTER TABLE users DROP COLUMN email;");
  // Not applied: must not count as missing.
  p.Migration("0003_pending.sql", "CREATE TABLE later (id int);", "DROP TABLE later;");
  ASSERT_EQ(p.Run({"hash"}).exit_code, 0);
  ASSERT_EQ(p.Run({"apply", "--to", "0002"}).exit_code, 0);

  CliResult clean = p.Run({"drift"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_THAT(clean.out, HasSubstr("app@dev: no drift (2 migrations replayed)"));

  auto db = p.Connect();
  ASSERT_TRUE(db->Exec("CREATE INDEX users_name_by_hand ON users (name); ALTER TABLE users DROP COLUMN email;"
                       "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'trial'"));
  CliResult text = p.Run({"drift"});
  EXPECT_EQ(text.exit_code, 1) << text.out;
  EXPECT_THAT(text.out, HasSubstr("app@dev: DRIFT (2 migrations replayed): 1 made by hand, 1 missing, 1 changed"));
  EXPECT_THAT(text.out, HasSubstr("+ index public.users_name_by_hand"));
  EXPECT_THAT(text.out, HasSubstr("- column public.users.email"));
  EXPECT_THAT(text.out, HasSubstr("~ column public.users.plan: default: 'free'::text → 'trial'::text"));

  int code = -1;
  nlohmann::json j = p.RunJson({"drift"}, &code);
  EXPECT_EQ(code, 1);
  ASSERT_EQ(j["targets"].size(), 1u);
  EXPECT_EQ(j["targets"][0]["drift"], true);
  EXPECT_EQ(j["targets"][0]["replayed"], nlohmann::json({"0001", "0002"}));

  nlohmann::json st = p.RunJson({"status", "--drift"}, &code);
  EXPECT_EQ(code, 0) << st.dump(2);  // status reports; drift is its own verdict
  EXPECT_EQ(st["targets"][0]["drift"], true);
  CliResult st_text = p.Run({"status", "--drift"});
  EXPECT_THAT(st_text.out, HasSubstr("! drift         yes: 1 made by hand, 1 missing, 1 changed"));
  nlohmann::json plain = p.RunJson({"status"}, &code);
  EXPECT_FALSE(plain["targets"][0].contains("drift"));
}

TEST(CliDriftTest, SqliteTargets) {
  CliProject p("sqlite:" + FreshSqlitePath());
  p.Migration("0001_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "DROP TABLE t;");
  ASSERT_EQ(p.HashAndApply().exit_code, 0);
  EXPECT_EQ(p.Run({"drift"}).exit_code, 0);
  auto db = p.Connect();
  ASSERT_TRUE(db->Exec("CREATE TABLE hand_made (x INTEGER)"));
  CliResult r = p.Run({"drift"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("+ table main.hand_made"));
}

}  // namespace
}  // namespace strata::testing
