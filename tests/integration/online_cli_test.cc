// strata online end to end: the real binary against a real PostgreSQL — start with backfill,
// status --json, the contract guard and --force, rollback, queueing, bad files (exit 2 with
// file:line, nothing run), --dry-run and plan.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"

namespace strata::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class OnlineCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    p_ = std::make_unique<CliProject>(FreshPgDatabase("onlinecli"));
    auto e = p_->Connect();
    ASSERT_TRUE(e->Exec("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, age int);"
                        "INSERT INTO users SELECT g, 'u' || g, g FROM generate_series(1, 500) g;")
                    .has_value());
    p_->Write("online/01_scores.yaml", R"(operations:
  - add_column:
      table: users
      column: {name: score, type: integer, nullable: false}
      up: coalesce(age, 0) * 10
  - alter_column: {table: users, column: age, type: bigint}
  - create_index: {name: users_name_idx, table: users, columns: [name]}
)");
  }
  std::unique_ptr<CliProject> p_;
};

TEST_F(OnlineCliTest, StartStatusCompleteWithBackfill) {
  CliResult started = p_->Run({"online", "start", "online/01_scores.yaml", "--batch-size", "64", "--progress"});
  ASSERT_EQ(started.exit_code, 0) << started.out;
  EXPECT_THAT(started.out, HasSubstr("01_scores started: version schema public_01_scores (backfill done)"));
  EXPECT_THAT(started.out, HasSubstr("backfill users ["));
  EXPECT_EQ(p_->Scalar("SELECT count(*) FROM public_01_scores.users WHERE score = age * 10"), "500");

  int code = -1;
  nlohmann::json st = p_->RunJson({"online", "status"}, &code);
  ASSERT_EQ(code, 0) << st.dump(2);
  const auto& t = st["targets"][0];
  EXPECT_EQ(t["active"]["name"], "01_scores");
  EXPECT_EQ(t["active"]["state"], "started");
  ASSERT_EQ(t["backfill"].size(), 1u);
  EXPECT_EQ(t["backfill"][0]["rows_done"], 500);
  EXPECT_EQ(t["backfill"][0]["rows_total"], 500);
  EXPECT_EQ(t["backfill"][0]["batches"], 8);
  EXPECT_EQ(t["backfill"][0]["done"], true);

  // Running start again is harmless: it resumes and finds everything done.
  CliResult again = p_->Run({"online", "start", "online/01_scores.yaml"});
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr("resumed"));

  nlohmann::json done = p_->RunJson({"online", "complete"}, &code);
  ASSERT_EQ(code, 0) << done.dump(2);
  EXPECT_EQ(done["targets"][0]["completed"], true);
  EXPECT_EQ(p_->Scalar("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'score'"),
            "t");
  EXPECT_EQ(p_->Scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass "
                       "AND attname = 'age'"),
            "bigint");
  EXPECT_EQ(p_->Scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_name_idx'::regclass"), "t");
  EXPECT_EQ(p_->Scalar("SELECT count(*) FROM strata.audit WHERE action IN ('online-start', 'online-complete')"), "2");
}

TEST_F(OnlineCliTest, GuardQueueRollbackAndForce) {
  ASSERT_EQ(p_->Run({"online", "start", "online/01_scores.yaml"}).exit_code, 0);
  ASSERT_EQ(p_->Run({"online", "complete"}).exit_code, 0);
  p_->Write("online/02_rename.json",
            R"({"operations": [{"rename_column": {"table": "users", "from": "name", "to": "full_name"}}]})");
  p_->Write("online/03_other.yaml", "operations:\n  - drop_index: {name: users_name_idx}\n");
  ASSERT_EQ(p_->Run({"online", "start", "online/02_rename.json"}).exit_code, 0);

  // Only one at a time: the error names the active migration.
  CliResult queued = p_->Run({"online", "start", "online/03_other.yaml"});
  EXPECT_EQ(queued.exit_code, 1) << queued.out;
  EXPECT_THAT(queued.out, HasSubstr("online migration '02_rename' is active"));
  CliResult waited = p_->Run({"online", "start", "online/03_other.yaml", "--wait", "1500ms"});
  EXPECT_EQ(waited.exit_code, 1) << waited.out;
  EXPECT_THAT(waited.out, HasSubstr("queued behind the active online migration '02_rename'"));

  // A client tagged with the old version blocks complete (exit 1, listed), --force overrides.
  auto client = p_->Connect();
  ASSERT_TRUE(client->Exec("SET application_name = 'web strata_version=public_01_scores'").has_value());
  int code = -1;
  nlohmann::json blocked = p_->RunJson({"online", "complete"}, &code);
  EXPECT_EQ(code, 1) << blocked.dump(2);
  ASSERT_EQ(blocked["targets"][0]["blocked_by"].size(), 1u);
  EXPECT_EQ(blocked["targets"][0]["blocked_by"][0]["pid"], std::stoll(client->SessionId()));
  CliResult text = p_->Run({"online", "complete"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out, HasSubstr("application_name 'web strata_version=public_01_scores'"));

  // The dry runs show the SQL and change nothing.
  CliResult dry_complete = p_->Run({"online", "complete", "--dry-run"});
  ASSERT_EQ(dry_complete.exit_code, 0) << dry_complete.out;
  EXPECT_THAT(dry_complete.out, HasSubstr("DROP SCHEMA IF EXISTS \"public_01_scores\" CASCADE"));
  EXPECT_THAT(dry_complete.out, HasSubstr("RENAME COLUMN \"name\" TO \"full_name\""));
  CliResult dry_rollback = p_->Run({"online", "rollback", "--dry-run"});
  ASSERT_EQ(dry_rollback.exit_code, 0) << dry_rollback.out;
  EXPECT_THAT(dry_rollback.out, HasSubstr("DROP SCHEMA IF EXISTS \"public_02_rename\" CASCADE"));
  EXPECT_EQ(p_->Scalar("SELECT to_regnamespace('public_02_rename') IS NOT NULL"), "t");

  // Rollback instead, then start again and force the complete.
  CliResult rolled = p_->Run({"online", "rollback"});
  ASSERT_EQ(rolled.exit_code, 0) << rolled.out;
  EXPECT_EQ(p_->Scalar("SELECT to_regnamespace('public_02_rename') IS NULL"), "t");
  EXPECT_EQ(p_->Scalar("SELECT count(*) FROM public_01_scores.users"), "500");
  ASSERT_EQ(p_->Run({"online", "start", "online/02_rename.json"}).exit_code, 0);
  CliResult forced = p_->Run({"online", "complete", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.out;
  EXPECT_THAT(forced.out, HasSubstr("forced past 1 session(s)"));
  EXPECT_EQ(p_->Scalar("SELECT count(*) FROM strata.audit WHERE action = 'online-complete-forced'"), "1");
  EXPECT_EQ(p_->Scalar("SELECT full_name FROM users WHERE id = 7"), "u7");

  CliResult none = p_->Run({"online", "complete"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.out, HasSubstr("no online migration is active"));
}

TEST_F(OnlineCliTest, BadFilesAreRejectedWithFileAndLineAndNothingRuns) {
  p_->Write("online/bad.yaml", "operations:\n  - add_column:\n      table: users\n      column: {name: x, typ: int}\n");
  CliResult bad = p_->Run({"online", "start", "online/bad.yaml"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("online/bad.yaml:4:"));
  p_->Write("online/bad2.yaml", "operations:\n  - drop_column: {table: users, column: nope}\n");
  CliResult bad2 = p_->Run({"online", "start", "online/bad2.yaml"});
  EXPECT_EQ(bad2.exit_code, 2) << bad2.out;
  EXPECT_THAT(bad2.out, HasSubstr("online/bad2.yaml:2:"));
  EXPECT_THAT(bad2.out, HasSubstr("'users.nope' does not exist"));
  EXPECT_EQ(p_->Scalar("SELECT to_regnamespace('strata_online') IS NULL AND to_regnamespace('strata') IS NULL"), "t");
  CliResult missing = p_->Run({"online", "start", "online/nope.yaml"});
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
}

TEST_F(OnlineCliTest, DryRunAndPlan) {
  CliResult dry = p_->Run({"online", "start", "online/01_scores.yaml", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out;
  EXPECT_THAT(dry.out, HasSubstr("ADD COLUMN IF NOT EXISTS \"_strata_new_score\" integer"));
  EXPECT_THAT(dry.out, HasSubstr("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"users_name_idx\""));
  EXPECT_THAT(dry.out, HasSubstr("CREATE OR REPLACE VIEW \"public_01_scores\".\"users\""));
  EXPECT_EQ(p_->Scalar("SELECT to_regnamespace('public_01_scores') IS NULL"), "t");

  p_->Write("online/raw.yaml", "operations:\n  - sql: {up: 'ALTER TABLE users ADD COLUMN z int'}\n");
  CliResult plan = p_->Run({"online", "plan", "online/raw.yaml"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out;
  int code = -1;
  EXPECT_THAT(plan.out, HasSubstr("online/raw.yaml:2: sql (unsafe), no down  UNSAFE"));
  p_->Write("online/raw2.yaml", "operations:\n  - sql: {up: 'CREATE INDEX users_age ON users (age)', down: 'DROP INDEX users_age'}\n");
  nlohmann::json lint = p_->RunJson({"online", "plan", "online/raw2.yaml"}, &code);
  EXPECT_EQ(lint["unsafe"], true);
  ASSERT_FALSE(lint["operations"][0]["findings"].empty()) << lint.dump(2);
  EXPECT_EQ(lint["operations"][0]["findings"][0]["rule"], "require-concurrent-index");
  nlohmann::json pj = p_->RunJson({"online", "plan", "online/01_scores.yaml"}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(pj["unsafe"], false);
  EXPECT_EQ(pj["operations"].size(), 3u);
}

}  // namespace
}  // namespace strata::testing
