// A rollout over 3 services x 3 environments x 2 shards, with a cross-service requirement
// (orders needs users' birthdate column), promotion dev -> staging -> prod, and the
// refusals when the order would break.
#include "tests/integration/rollout_support.h"

namespace strata::testing {
namespace {

class RolloutFleet : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fleet_ = new Fleet({"users", "orders", "billing"}, {"dev", "staging", "prod"}, 2);
    fleet_->Toml("[rollout]\npromotion = [\"dev\", \"staging\", \"prod\"]\nparallelism = 4\n\n"
                 "[environments.prod]\ncanary = [\"users@prod/shard-0\", \"orders@prod/shard-0\"]\nbatch_size = 1\n"
                 "[[environments.prod.gates]]\nname = \"users-table\"\nsql = \"SELECT count(*) >= 0 FROM pg_class\"\n");
    fleet_->Migration("users", "0001_create_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);", "DROP TABLE users;");
    fleet_->Migration("users", "0002_add_birthdate.sql", "ALTER TABLE users ADD COLUMN birthdate date;",
                      "ALTER TABLE users DROP COLUMN birthdate;");
    fleet_->Migration("orders", "0001_create_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);", "DROP TABLE orders;");
    fleet_->Migration("orders", "0002_age_check.sql", "CREATE TABLE order_age_rules (min_age int);",
                      "DROP TABLE order_age_rules;", "-- strata:requires users/0002_add_birthdate\n");
    fleet_->Migration("billing", "0001_create_invoices.sql", "CREATE TABLE invoices (id bigint PRIMARY KEY);",
                      "DROP TABLE invoices;");
  }
  static void TearDownTestSuite() { delete fleet_; }
  static Fleet* fleet_;
};
Fleet* RolloutFleet::fleet_ = nullptr;

TEST_F(RolloutFleet, GraphAllShowsOwnersAndCrossServiceEdges) {
  RunOut j = fleet_->Run({"--json", "graph", "--all"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  ASSERT_EQ(j.json["edges"].size(), 1u);
  EXPECT_EQ(j.json["edges"][0]["from"], "orders/0002");
  EXPECT_EQ(j.json["edges"][0]["to"], "users/0002");
  EXPECT_EQ(j.json["services"][0]["owner"], "team-users");
  EXPECT_EQ(j.json["services"][0]["migrations"][1]["required_by"][0], "orders/0002");
  RunOut dot = fleet_->Run({"graph", "--all", "--format", "dot"});
  EXPECT_NE(dot.out.find("\"users/0002\" -> \"orders/0002\" [style=dashed"), std::string::npos) << dot.out;
}

TEST_F(RolloutFleet, PromotesThroughEnvironmentsInWavesAndRefusesOutOfOrder) {
  // prod before staging: refused, nothing applied anywhere in prod.
  RunOut early = fleet_->Run({"--env", "prod", "rollout", "run"});
  EXPECT_EQ(early.exit_code, 2) << early.out << early.err;
  EXPECT_NE(early.err.find("promotion: users/0001"), std::string::npos) << early.err;
  EXPECT_FALSE(HasTable(fleet_->Url("users", "prod", 0), "users"));

  // orders alone in dev: its 0002 requires users/0002, which has not succeeded in dev.
  RunOut alone = fleet_->Run({"--env", "dev", "--service", "orders", "rollout", "run"});
  EXPECT_EQ(alone.exit_code, 2) << alone.out << alone.err;
  EXPECT_NE(alone.err.find("requires: orders/0002 requires users/0002"), std::string::npos) << alone.err;
  EXPECT_FALSE(HasTable(fleet_->Url("orders", "dev", 0), "orders"));

  // The plan: users and billing in wave 1, orders in wave 2.
  RunOut plan = fleet_->Run({"--env", "dev", "--json", "rollout", "plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(plan.json["waves"], 2);
  for (const auto& m : plan.json["migrations"]) {
    EXPECT_EQ(m["wave"], m["service"] == "orders" ? 2 : 1) << m.dump();
    EXPECT_EQ(m["risk"], "low") << m.dump();
  }

  // Per target, from each target's own history: everything is still pending.
  RunOut per_target = fleet_->Run({"--env", "dev", "--json", "rollout", "plan", "--targets"});
  ASSERT_EQ(per_target.exit_code, 0) << per_target.err;
  ASSERT_EQ(per_target.json["targets"].size(), 6u);
  for (const auto& t : per_target.json["targets"]) {
    EXPECT_EQ(t["pending"].size(), t["service"] == "billing" ? 1u : 2u) << t.dump();
  }
  for (std::string env : {"dev", "staging", "prod"}) {
    RunOut run = fleet_->Run({"--env", env, "--json", "rollout", "run", "--progress"});
    ASSERT_EQ(run.exit_code, 0) << env << ": " << run.out << run.err;
    EXPECT_EQ(run.json["rollout"]["state"], "succeeded");
    EXPECT_EQ(run.json["done"], 6);
    EXPECT_EQ(run.json["applied_migrations"], 10);  // 5 migrations x 2 shards
    EXPECT_NE(run.err.find("done, 0 failed"), std::string::npos) << run.err;  // live progress
    for (int shard = 0; shard < 2; ++shard) {
      EXPECT_TRUE(HasTable(fleet_->Url("orders", env, shard), "order_age_rules"));
      EXPECT_EQ(Scalar(fleet_->Url("users", env, shard),
                       "SELECT count(*) FROM information_schema.columns WHERE column_name = 'birthdate'"), "1");
    }
    EXPECT_EQ(run.out.find("s3cret-pw"), std::string::npos);
    EXPECT_EQ(run.err.find("s3cret-pw"), std::string::npos);
  }
  // prod ran the canary (one target each of users and orders, in their waves), then batches of 1.
  RunOut status = fleet_->Run({"--env", "prod", "--json", "rollout", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.json["rollout"]["state"], "succeeded");
  EXPECT_EQ(status.json["targets"]["done"], 6);
  auto plan_json = nlohmann::json::parse(
      Scalar(fleet_->control(), "SELECT plan FROM strata_control.rollouts WHERE env = 'prod' ORDER BY id DESC LIMIT 1"));
  EXPECT_EQ(plan_json["stages"][0]["name"], "canary");
  EXPECT_EQ(plan_json["stages"][0]["targets"], nlohmann::json::array({"users@prod/shard-0"}));
  // Nothing left: a second run does nothing.
  RunOut again = fleet_->Run({"--env", "prod", "rollout", "run"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("nothing to roll out"), std::string::npos) << again.out;
  // Every rollout action is audited in the control database, and no password is stored.
  EXPECT_EQ(Scalar(fleet_->control(), "SELECT count(*) FROM strata_control.audit WHERE action = 'rollout-succeeded'"), "3");
  EXPECT_EQ(fleet_->ControlDump().find("s3cret-pw"), std::string::npos);
}

}  // namespace
}  // namespace strata::testing
