// strata plan end to end: text and JSON output, --to, and the [policy.<env>] risk ceiling
// refusing plan (exit 1) and apply (exit 2, nothing applied) unless --approve-risk (audited).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"

namespace strata::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* kToml =
    "[project]\nname = \"t\"\nenvironments = [\"dev\"]\n\n"
    "[defaults]\nlock_timeout = \"500ms\"\nlock_retries = 2\nretry_delay = \"50ms\"\nlock_wait = \"5s\"\n\n"
    "[services.app]\nmigrations = \"migrations/app\"\n[services.app.targets]\ndev = \"${STRATA_TEST_URL}\"\n";

// A project whose target has a table `items` of 100k rows, analyzed, and three pending
// migrations: a nullable ADD COLUMN (low), an int -> bigint rewrite (high) and an index built
// CONCURRENTLY (low).
class CliPlanTest : public ::testing::Test {
 protected:
  CliPlanTest() : p_(FreshPgDatabase("cliplan")) {}

  void SetUp() override {
    auto e = p_.Connect();
    ASSERT_TRUE(e->Exec("CREATE TABLE items (id integer PRIMARY KEY, v integer NOT NULL, note text);"
                        "INSERT INTO items SELECT g, g % 100, 'note ' || g FROM generate_series(1, 100000) g;"
                        "ANALYZE items;")
                    .has_value());
    p_.Migration("0001_add_c.sql", "ALTER TABLE items ADD COLUMN c text;", "ALTER TABLE items DROP COLUMN c;");
    p_.Migration("0002_widen.sql", "ALTER TABLE items ALTER COLUMN v TYPE bigint;",
                 "ALTER TABLE items ALTER COLUMN v TYPE integer;");
    p_.Migration("0003_index.sql", "CREATE INDEX CONCURRENTLY items_note ON items (note);",
                 "DROP INDEX CONCURRENTLY items_note;", "-- strata:no-transaction\n");
    ASSERT_EQ(p_.Run({"hash", "-q"}).exit_code, 0);
  }

  void SetPolicy(const std::string& max_risk) {
    p_.Toml(std::string(kToml) + "\n[policy.dev]\nmax_risk = \"" + max_risk + "\"\n");
  }

  CliProject p_;
};

TEST_F(CliPlanTest, TextShowsLocksSizesRiskAndLockTime) {
  CliResult r = p_.Run({"plan"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("app@dev"));
  EXPECT_THAT(r.out, HasSubstr("3 pending, highest risk high"));
  EXPECT_THAT(r.out, HasSubstr("0001_add_c  [LOW risk]"));
  EXPECT_THAT(r.out, HasSubstr("0002_widen  [HIGH risk]"));
  EXPECT_THAT(r.out, HasSubstr("0003_index  [LOW risk]  no transaction"));
  EXPECT_THAT(r.out, HasSubstr("strongest lock: ACCESS EXCLUSIVE on \"items\" held ~"));
  EXPECT_THAT(r.out, HasSubstr("ALTER TABLE items ALTER COLUMN v TYPE bigint"));
  EXPECT_THAT(r.out, HasSubstr("rewrites"));
  EXPECT_THAT(r.out, HasSubstr(" MB, ~"));           // live size and row estimate
  EXPECT_THAT(r.out, HasSubstr("SHARE UPDATE EXCLUSIVE on \"items\""));
  EXPECT_THAT(r.out, HasSubstr("migrations/app/0002_widen.sql:2"));
  // Nothing was applied.
  EXPECT_EQ(p_.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND "
                      "column_name = 'c'"),
            "0");
}

TEST_F(CliPlanTest, JsonShapeAndTo) {
  int code = -1;
  nlohmann::json j = p_.RunJson({"plan"}, &code);
  EXPECT_EQ(code, 0);
  ASSERT_EQ(j["targets"].size(), 1u);
  const auto& t = j["targets"][0];
  EXPECT_EQ(t["service"], "app");
  EXPECT_EQ(t["target"], "app@dev");
  EXPECT_EQ(t["engine"], "postgres");
  EXPECT_EQ(t["max_risk"], "high");
  EXPECT_TRUE(t["policy"].is_null());
  ASSERT_EQ(t["migrations"].size(), 3u);
  const auto& widen = t["migrations"][1];
  EXPECT_EQ(widen["id"], "0002");
  EXPECT_EQ(widen["risk"], "high");
  EXPECT_EQ(widen["reversible"], true);
  EXPECT_EQ(widen["transactional"], true);
  EXPECT_EQ(widen["lock"]["mode"], "ACCESS EXCLUSIVE");
  EXPECT_EQ(widen["lock"]["table"], "items");
  EXPECT_GT(widen["lock"]["seconds"].get<double>(), 0.01);
  const auto& s = widen["statements"][0];
  EXPECT_EQ(s["line"], 2);
  EXPECT_EQ(s["kind"], "ALTER TABLE ALTER COLUMN TYPE");
  EXPECT_EQ(s["rewrite"], true);
  EXPECT_EQ(s["locks"][0]["table"], "items");
  EXPECT_EQ(s["locks"][0]["mode"], "ACCESS EXCLUSIVE");
  EXPECT_EQ(s["locks"][0]["bytes"].get<long long>(),
            std::stoll(p_.Scalar("SELECT pg_total_relation_size('items')")));
  EXPECT_NEAR(s["locks"][0]["rows"].get<double>(), 100000.0, 1000.0);
  EXPECT_FALSE(s["findings"].empty());
  EXPECT_EQ(s["findings"][0]["severity"].is_string(), true);
  EXPECT_EQ(t["migrations"][0]["risk"], "low");
  EXPECT_EQ(t["migrations"][2]["transactional"], false);
  EXPECT_EQ(t["migrations"][2]["statements"][0]["locks"][0]["mode"], "SHARE UPDATE EXCLUSIVE");
  EXPECT_EQ(j["refused"], 0);

  nlohmann::json to = p_.RunJson({"plan", "--to", "0001"}, &code);
  EXPECT_EQ(code, 0);
  ASSERT_EQ(to["targets"][0]["migrations"].size(), 1u);
  EXPECT_EQ(to["targets"][0]["migrations"][0]["id"], "0001");
  EXPECT_EQ(to["targets"][0]["max_risk"], "low");

  // After applying 0001 only the rest is pending.
  ASSERT_EQ(p_.Run({"apply", "--to", "0001"}).exit_code, 0);
  nlohmann::json rest = p_.RunJson({"plan"}, &code);
  ASSERT_EQ(rest["targets"][0]["migrations"].size(), 2u);
  EXPECT_EQ(rest["targets"][0]["migrations"][0]["id"], "0002");
  EXPECT_EQ(p_.Run({"plan", "--to", "9999"}).exit_code, 2);
}

TEST_F(CliPlanTest, PolicyRefusesPlanAndApplyUnlessApproved) {
  SetPolicy("medium");
  CliResult r = p_.Run({"plan"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("0002 REFUSED (high)"));
  EXPECT_THAT(r.out, HasSubstr("--approve-risk 0002"));
  int code = -1;
  nlohmann::json j = p_.RunJson({"plan"}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["refused"], 1);
  EXPECT_EQ(j["targets"][0]["policy"]["max_risk"], "medium");
  EXPECT_EQ(j["targets"][0]["policy"]["refused"], nlohmann::json({"0002"}));
  r = p_.Run({"plan", "--approve-risk", "0002"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("0002 approved (high)"));

  // apply: refused before anything runs, with the migration, its risk, reason and the fix.
  r = p_.Run({"apply"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("nothing was applied"));
  EXPECT_THAT(r.out, HasSubstr("0002_widen is rated high risk"));
  EXPECT_THAT(r.out, HasSubstr("max_risk = \"medium\" of [policy.dev]"));
  EXPECT_THAT(r.out, HasSubstr("--approve-risk 0002"));
  EXPECT_EQ(p_.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND "
                      "column_name = 'c'"),
            "0");
  EXPECT_EQ(p_.Scalar("SELECT data_type FROM information_schema.columns WHERE table_name = 'items' AND "
                      "column_name = 'v'"),
            "integer");
  // --to below the risky migration is within the policy.
  r = p_.Run({"apply", "--to", "0001"});
  EXPECT_EQ(r.exit_code, 0) << r.out;

  r = p_.Run({"apply", "--approve-risk", "0002"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("recorded in the audit"));
  EXPECT_EQ(p_.Scalar("SELECT data_type FROM information_schema.columns WHERE table_name = 'items' AND "
                      "column_name = 'v'"),
            "bigint");
  EXPECT_EQ(p_.Scalar("SELECT count(*) FROM strata.audit WHERE action = 'approve-risk' AND migration_id = '0002'"),
            "1");
  EXPECT_EQ(p_.Scalar("SELECT details->>'risk' || ' ' || (details->>'max_risk') || ' ' || actor FROM strata.audit "
                      "WHERE action = 'approve-risk'"),
            "high medium tester");
  EXPECT_THAT(p_.Run({"plan"}).out, HasSubstr("nothing pending"));
}

TEST(CliPlanSqliteTest, LocksAreNotApplicable) {
  CliProject p("sqlite:" + FreshSqlitePath());
  p.Migration("0001_t.sql", "CREATE TABLE t (id integer PRIMARY KEY);", "DROP TABLE t;");
  p.Write("migrations/app/0002_u.sql", "-- strata:irreversible keeps data\n-- +strata up\nCREATE TABLE u (id integer);\n");
  CliResult r = p.Run({"plan"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("SQLite"));
  EXPECT_THAT(r.out, HasSubstr("lock n/a"));
  int code = -1;
  nlohmann::json j = p.RunJson({"plan"}, &code);
  EXPECT_EQ(code, 0);
  const auto& t = j["targets"][0];
  EXPECT_EQ(t["engine"], "sqlite");
  ASSERT_EQ(t["migrations"].size(), 2u);
  EXPECT_TRUE(t["migrations"][0]["statements"][0]["locks"].is_null());
  EXPECT_EQ(t["migrations"][0]["risk"], "low");
  EXPECT_EQ(t["migrations"][1]["reversible"], false);
  EXPECT_EQ(t["migrations"][1]["risk"], "medium");
  EXPECT_THAT(r.out, Not(HasSubstr("ACCESS EXCLUSIVE")));
}

}  // namespace
}  // namespace strata::testing
