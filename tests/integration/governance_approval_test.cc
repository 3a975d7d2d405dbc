// Approvals end to end with the real strata binary and PostgreSQL: apply refuses a migration
// whose [policy.<env>] rule lacks approvals (exit 2, nothing applied), the same person counts
// once, an edit voids the approvals, enough approvals let it through; [roles] membership; the
// control database as the approval store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cli_harness.h"
#include "tests/support/pg_test_env.h"

namespace strata::testing {
namespace {

using ::testing::HasSubstr;

const char* kToml =
    "[project]\nname = \"t\"\nenvironments = [\"dev\"]\n\n"
    "[defaults]\nlock_timeout = \"500ms\"\nlock_retries = 2\nretry_delay = \"50ms\"\nlock_wait = \"5s\"\n\n"
    "[services.app]\nmigrations = \"migrations/app\"\n[services.app.targets]\ndev = \"${STRATA_TEST_URL}\"\n\n"
    "[policy.dev]\nlow = { approvals = 2, roles = [\"dba\", \"owner\"] }\n";

class GovernanceApprovalTest : public ::testing::Test {
 protected:
  GovernanceApprovalTest() : p_(FreshPgDatabase("gov_approve")) {}
  void SetUp() override {
    p_.Toml(kToml);
    p_.Migration("0001_t.sql", "CREATE TABLE t (id int);", "DROP TABLE t;");
    ASSERT_EQ(p_.Run({"hash", "-q"}).exit_code, 0);
  }
  CliResult Approve(const std::string& actor, const std::string& role) {
    return p_.Run({"--actor", actor, "approve", "app/0001", "--role", role});
  }
  CliProject p_;
};

TEST_F(GovernanceApprovalTest, MissingRefusedSamePersonOnceEditVoidsEnoughAccepted) {
  CliResult r = p_.Run({"apply"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("nothing was applied"));
  EXPECT_THAT(r.out, HasSubstr("app/0001 (low risk) in dev: needs 2 approvals from dba or owner, has 0"));
  EXPECT_THAT(r.out, HasSubstr("strata --env dev approve app/0001 --role dba"));
  EXPECT_FALSE(p_.HasTable("t"));
  // plan says the same, and exits 1.
  r = p_.Run({"plan"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("MISSING: app/0001 (low risk) in dev: needs 2 approvals"));

  r = Approve("alice", "dba");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("approved app/0001 for dev as dba by alice (flag)"));
  r = Approve("alice", "dba");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("already approved: counts once"));
  r = Approve("alice", "owner");  // the same person with another role still counts once
  ASSERT_EQ(r.exit_code, 0) << r.out;
  int code = -1;
  nlohmann::json j = p_.RunJson({"apply"}, &code);
  EXPECT_EQ(code, 2);
  ASSERT_EQ(j["approvals_missing"].size(), 1u);
  EXPECT_EQ(j["approvals_missing"][0]["migration"], "0001");
  EXPECT_EQ(j["approvals_missing"][0]["approved"], 1);
  EXPECT_EQ(j["approvals_missing"][0]["missing"], 1);
  EXPECT_EQ(j["error"]["kind"], "input");
  EXPECT_FALSE(p_.HasTable("t"));

  ASSERT_EQ(Approve("bob", "owner").exit_code, 0);
  // Edit the file after the approvals: they are void.
  p_.Migration("0001_t.sql", "CREATE TABLE t (id bigint);", "DROP TABLE t;");
  ASSERT_EQ(p_.Run({"hash", "-q"}).exit_code, 0);
  r = p_.Run({"apply"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("has 0"));
  EXPECT_THAT(r.out, HasSubstr("voided because the migration was edited since"));
  EXPECT_FALSE(p_.HasTable("t"));

  ASSERT_EQ(Approve("alice", "dba").exit_code, 0);
  ASSERT_EQ(Approve("bob", "owner").exit_code, 0);
  j = p_.RunJson({"plan"}, &code);
  EXPECT_EQ(code, 0) << j.dump();
  ASSERT_EQ(j["targets"][0]["approvals"].size(), 1u);
  EXPECT_EQ(j["targets"][0]["approvals"][0]["missing"], 0);
  EXPECT_EQ(j["targets"][0]["approvals"][0]["approved_by"], nlohmann::json({"alice as dba", "bob as owner"}));
  j = p_.RunJson({"apply"}, &code);
  ASSERT_EQ(code, 0) << j.dump();
  EXPECT_TRUE(p_.HasTable("t"));
  EXPECT_EQ(p_.Scalar("SELECT data_type FROM information_schema.columns WHERE table_name = 't'"), "bigint");
  EXPECT_EQ(j["targets"][0]["approvals"]["0001"].size(), 2u);

  // Who approved what went live is in the audit beside the apply record.
  j = p_.RunJson({"audit", "--action", "approvals-used"}, &code);
  ASSERT_EQ(j["targets"][0]["records"].size(), 1u);
  EXPECT_EQ(j["targets"][0]["records"][0]["migration"], "0001");
  EXPECT_EQ(j["targets"][0]["records"][0]["details"]["approvals"].size(), 2u);
  // Every approval (repeats too) is in the target's audit, which verifies.
  j = p_.RunJson({"audit", "--action", "approve", "--limit", "0"}, &code);
  EXPECT_EQ(code, 0);
  ASSERT_EQ(j["targets"][0]["records"].size(), 6u);
  EXPECT_EQ(j["targets"][0]["records"][0]["actor"], "bob");
  EXPECT_EQ(j["targets"][0]["records"][0]["details"]["actor_source"], "flag");
  EXPECT_EQ(j["targets"][0]["records"][0]["details"]["role"], "owner");
  r = p_.Run({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("app@dev: ok"));
}

TEST_F(GovernanceApprovalTest, BadInputIsRejected) {
  EXPECT_EQ(p_.Run({"approve", "app0001", "--role", "dba"}).exit_code, 2);
  CliResult r = p_.Run({"approve", "app/9999", "--role", "dba"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("no migration '9999'"));
  EXPECT_EQ(p_.Run({"approve", "nosuch/0001", "--role", "dba"}).exit_code, 2);
  EXPECT_EQ(p_.Run({"approve", "app/0001"}).exit_code, 2);  // --role is required
  // With [roles], only members may approve with a role.
  p_.Toml(std::string(kToml) + "\n[roles]\ndba = [\"alice\"]\nowner = [\"bob\"]\n");
  r = Approve("mallory", "dba");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("mallory (from flag) is not a member of role 'dba'"));
  r = Approve("alice", "sre");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("no such role"));
  ASSERT_EQ(Approve("alice", "dba").exit_code, 0);
  ASSERT_EQ(Approve("bob", "owner").exit_code, 0);
  EXPECT_EQ(p_.Run({"apply"}).exit_code, 0);
  EXPECT_TRUE(p_.HasTable("t"));
}

TEST(GovernanceControlTest, ApprovalsInTheControlDatabase) {
  std::string control = FreshPgDatabase("gov_control");
  CliProject p(FreshPgDatabase("gov_target"));
  p.Toml(std::string(kToml) + "\n[control]\nurl = \"" + control + "\"\n");
  p.Migration("0001_t.sql", "CREATE TABLE t (id int);", "DROP TABLE t;");
  ASSERT_EQ(p.Run({"hash", "-q"}).exit_code, 0);
  EXPECT_EQ(p.Run({"apply"}).exit_code, 2);
  CliResult r = p.Run({"--actor", "alice", "approve", "app/0001", "--role", "dba"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("recorded in postgres"));
  ASSERT_EQ(p.Run({"--actor", "bob", "approve", "app/0001", "--role", "owner"}).exit_code, 0);
  r = p.Run({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(p.HasTable("t"));
  // Stored (and audited) in the control database, not in the target.
  EXPECT_EQ(p.Scalar("SELECT to_regclass('strata.approvals') IS NULL"), "t");
  int code = -1;
  nlohmann::json j = p.RunJson({"audit", "--control", "--action", "approve"}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(j["control"]["records"].size(), 2u);
  j = p.RunJson({"audit", "verify"}, &code);
  EXPECT_EQ(code, 0) << j.dump();
  ASSERT_EQ(j["chains"].size(), 2u);
  EXPECT_EQ(j["chains"][1]["store"], "control");
  EXPECT_EQ(j["chains"][1]["records"], 2);
}

}  // namespace
}  // namespace strata::testing
