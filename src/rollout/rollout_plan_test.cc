#include "rollout/rollout_plan.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace strata::rollout {
namespace {

Migration M(const std::string& service, const std::string& id, std::vector<std::string> requires_list = {}) {
  Migration m;
  m.service = service;
  m.id = id;
  m.name = "m" + id;
  m.path = "migrations/" + service + "/" + id + "_m" + id + ".sql";
  m.up.present = true;
  m.up.sql = "SELECT 1;";
  m.down.present = true;
  m.requires_migrations = std::move(requires_list);
  m.requires_file = m.path;
  m.requires_line = 1;
  m.checksum = ComputeChecksum(m);
  return m;
}

struct Fixture {
  ProjectConfig project;
  std::map<std::string, MigrationGraph> graphs;

  Fixture() {
    project.file = "strata.toml";
    project.environments = {"dev", "staging", "prod"};
    project.rollout.promotion = {"dev", "staging", "prod"};
    for (std::string s : {"users", "orders", "billing"}) {
      ServiceConfig svc;
      svc.name = s;
      project.services.push_back(svc);
    }
  }
  void Graph(const std::string& s, std::vector<Migration> ms) { graphs[s] = *MigrationGraph::Build(std::move(ms)); }
  PlanInput Input(const std::string& env, int shards) {
    PlanInput in;
    in.project = &project;
    in.env = env;
    for (const auto& s : project.services) {
      in.services.push_back({&s, &graphs.at(s.name)});
      in.all_services.push_back({&s, &graphs.at(s.name)});
      for (int i = 0; i < shards; ++i) {
        in.targets.push_back(ResolvedTarget{s.name, fmt::format("{}@{}/{}", s.name, env, i),
                                            *DatabaseUrl::Parse("postgres://localhost/x")});
      }
    }
    return in;
  }
};

TEST(RolloutPlan, RequiresOrdersServicesIntoWavesAndStagesFollowCanaryAndBatches) {
  Fixture f;
  f.Graph("users", {M("users", "1"), M("users", "2")});
  f.Graph("orders", {M("orders", "1", {"users/2_m2"})});
  f.Graph("billing", {M("billing", "1", {"orders/1"})});
  EnvironmentRollout er;
  er.env = "dev";
  er.canary_count = 1;
  er.batch_size = 2;
  f.project.environment_rollouts["dev"] = er;
  auto plan = BuildRolloutPlan(f.Input("dev", 4));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->waves, 3);
  EXPECT_EQ(plan->service_wave["users"], 1);
  EXPECT_EQ(plan->service_wave["orders"], 2);
  EXPECT_EQ(plan->service_wave["billing"], 3);
  EXPECT_TRUE(plan->refusals.empty());
  // Per wave: canary (1 target), then batches of 2 of the remaining 3: 3 stages per wave.
  ASSERT_EQ(plan->stages.size(), 9u);
  EXPECT_EQ(plan->stages[0].name, "canary");
  EXPECT_EQ(plan->targets[plan->stages[0].targets[0]].name, "users@dev/0");
  EXPECT_EQ(plan->stages[1].targets.size(), 2u);
  EXPECT_EQ(plan->stages[2].targets.size(), 1u);
  EXPECT_EQ(plan->stages[3].wave, 2);
  EXPECT_EQ(plan->migrations[2].requires_migrations, std::vector<std::string>{"users/2"});
}

TEST(RolloutPlan, PromotionAndRequiresRefusals) {
  Fixture f;
  f.Graph("users", {M("users", "1"), M("users", "2")});
  f.Graph("orders", {M("orders", "1", {"users/2"})});
  f.Graph("billing", {});
  // staging: users/1 succeeded in dev, users/2 did not.
  PlanInput in = f.Input("staging", 1);
  in.succeeded_in_previous = {"users/1", "orders/1"};
  auto plan = BuildRolloutPlan(in);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->refusals.size(), 1u);
  EXPECT_EQ(plan->refusals[0].kind, "promotion");
  EXPECT_EQ(plan->refusals[0].migration, "users/2");
  // Edited after it succeeded in dev: refused in staging.
  in.succeeded_in_previous = {"users/1", "users/2", "orders/1"};
  in.previous_checksums = {{"users/1", "old-checksum"}};
  plan = BuildRolloutPlan(in);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->refusals.size(), 1u);
  EXPECT_NE(plan->refusals[0].message.find("edited after it succeeded in dev"), std::string::npos);
  // Rolling out orders alone while users/2 has not succeeded in staging: requires refusal.
  PlanInput only_orders = f.Input("staging", 1);
  only_orders.services.erase(only_orders.services.begin());  // drop users
  only_orders.succeeded_in_previous = {"users/1", "users/2", "orders/1"};
  plan = BuildRolloutPlan(only_orders);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->refusals.size(), 1u);
  EXPECT_EQ(plan->refusals[0].kind, "requires");
  EXPECT_NE(plan->refusals[0].message.find("users/2"), std::string::npos);
  // Once users/2 succeeded in staging, orders may go alone.
  only_orders.succeeded_in_env = {"users/1", "users/2"};
  plan = BuildRolloutPlan(only_orders);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->refusals.empty());
  EXPECT_EQ(plan->waves, 1);
}

TEST(RolloutPlan, BadRequirementsAreInputErrors) {
  Fixture f;
  f.Graph("users", {M("users", "1", {"orders/1"})});
  f.Graph("orders", {M("orders", "1", {"users/1"})});
  f.Graph("billing", {M("billing", "1", {"nosuch/1"})});
  auto plan = BuildRolloutPlan(f.Input("dev", 1));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::kInput);
  f.Graph("billing", {M("billing", "1")});
  plan = BuildRolloutPlan(f.Input("dev", 1));
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("loop"), std::string::npos) << plan.error().message;
  f.Graph("users", {M("users", "1", {"orders/9"})});
  plan = BuildRolloutPlan(f.Input("dev", 1));
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("no migration '9'"), std::string::npos) << plan.error().message;
  EXPECT_EQ(plan.error().line, 1);
}

TEST(RolloutPlan, HashChangesWithMigrationsAndTargetsOnly) {
  Fixture f;
  f.Graph("users", {M("users", "1")});
  f.Graph("orders", {});
  f.Graph("billing", {});
  auto a = BuildRolloutPlan(f.Input("dev", 2));
  PlanInput in = f.Input("dev", 2);
  in.succeeded_in_env = {"users/1"};
  auto b = BuildRolloutPlan(in);
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_FALSE(b->migrations[0].new_in_env);
  auto c = BuildRolloutPlan(f.Input("dev", 3));
  EXPECT_NE(a->hash, c->hash);
}

}  // namespace
}  // namespace strata::rollout
