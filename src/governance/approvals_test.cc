// Approvals: policy rules per risk level evaluated against recorded approvals (pure), and the
// approval store on real PostgreSQL and SQLite (recorded, audited in the chain, read back).
#include "governance/approvals.h"

#include <gtest/gtest.h>

#include "control/control_db.h"
#include "governance/control_tables.h"
#include "tests/support/pg_test_env.h"

namespace strata::governance {
namespace {

using plan::Risk;

Migration M(const std::string& up, const std::string& down = "DROP TABLE t;") {
  Migration m;
  m.id = "0002";
  m.name = "add_t";
  m.service = "users";
  m.up = Section{true, up, "0002_add_t.sql", 3};
  m.down = Section{true, down, "0002_add_t.sql", 5};
  m.checksum = ComputeChecksum(m);
  return m;
}

ProjectConfig Project() {
  ProjectConfig p;
  p.environments = {"dev", "prod"};
  RiskPolicy pol;
  pol.env = "prod";
  pol.file = "strata.toml";
  pol.approvals["high"] = {ApprovalRule{2, {"dba", "owner"}, 7}};
  pol.approvals["medium"] = {ApprovalRule{1, {"owner"}, 8}, ApprovalRule{1, {"dba"}, 8}};
  p.policies["prod"] = pol;
  return p;
}

Approval A(const Migration& m, const std::string& actor, const std::string& role, const std::string& env = "prod") {
  return Approval{"users", m.id, ApprovalChecksum(m), env, role, actor, "flag", "h", "2026-11-22T01:00:00.000Z"};
}

TEST(ApprovalsTest, NothingNeededWithoutARule) {
  Migration m = M("CREATE TABLE t (id int);");
  EXPECT_TRUE(EvaluateApprovals(Project(), "prod", "users", m, Risk::kLow, {}).empty());
  EXPECT_TRUE(EvaluateApprovals(Project(), "dev", "users", m, Risk::kHigh, {}).empty());
}

TEST(ApprovalsTest, CountsDistinctPeopleWithTheRightRole) {
  Migration m = M("CREATE TABLE t (id int);");
  auto st = EvaluateApprovals(Project(), "prod", "users", m, Risk::kHigh, {A(m, "alice", "dba")});
  ASSERT_EQ(st.size(), 1u);
  EXPECT_FALSE(st[0].satisfied());
  EXPECT_EQ(st[0].missing(), 1);
  EXPECT_NE(st[0].Describe().find("strata --env prod approve users/0002 --role dba"), std::string::npos)
      << st[0].Describe();
  // The same person twice (even with another role) counts once; a wrong role does not count.
  st = EvaluateApprovals(Project(), "prod", "users", m, Risk::kHigh,
                         {A(m, "alice", "dba"), A(m, "alice", "owner"), A(m, "carol", "intern")});
  EXPECT_FALSE(st[0].satisfied());
  EXPECT_EQ(st[0].counted.size(), 1u);
  st = EvaluateApprovals(Project(), "prod", "users", m, Risk::kHigh, {A(m, "alice", "dba"), A(m, "bob", "owner")});
  EXPECT_TRUE(st[0].satisfied());
  EXPECT_TRUE(AllSatisfied(st));
  // Approvals for another environment do not count.
  st = EvaluateApprovals(Project(), "prod", "users", m, Risk::kHigh,
                         {A(m, "alice", "dba", "staging"), A(m, "bob", "owner", "staging")});
  EXPECT_FALSE(AllSatisfied(st));
}

TEST(ApprovalsTest, AnEditVoidsTheApproval) {
  Migration m = M("CREATE TABLE t (id int);");
  std::vector<Approval> recorded = {A(m, "alice", "dba"), A(m, "bob", "owner")};
  Migration edited = M("CREATE TABLE t (id bigint);");
  auto st = EvaluateApprovals(Project(), "prod", "users", edited, Risk::kHigh, recorded);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_FALSE(st[0].satisfied());
  EXPECT_EQ(st[0].voided.size(), 2u);
  EXPECT_NE(st[0].Describe().find("voided"), std::string::npos);
  // Editing only the down section voids it too (the reviewer approved the whole file).
  Migration down_edited = M("CREATE TABLE t (id int);", "DROP TABLE IF EXISTS t;");
  EXPECT_EQ(down_edited.checksum, m.checksum);
  EXPECT_NE(ApprovalChecksum(down_edited), ApprovalChecksum(m));
  EXPECT_FALSE(AllSatisfied(EvaluateApprovals(Project(), "prod", "users", down_edited, Risk::kHigh, recorded)));
}

TEST(ApprovalsTest, EveryRuleOfALevelWithDifferentPeople) {
  Migration m = M("CREATE TABLE t (id int);");
  // medium: one owner and one dba; one person holding both roles fills only one of them.
  auto st = EvaluateApprovals(Project(), "prod", "users", m, Risk::kMedium, {A(m, "alice", "owner"), A(m, "alice", "dba")});
  ASSERT_EQ(st.size(), 2u);
  EXPECT_TRUE(st[0].satisfied());
  EXPECT_FALSE(st[1].satisfied());
  st = EvaluateApprovals(Project(), "prod", "users", m, Risk::kMedium, {A(m, "alice", "owner"), A(m, "bob", "dba")});
  EXPECT_TRUE(AllSatisfied(st));
}

TEST(ApprovalsTest, RoleMembershipWhenRolesAreDeclared) {
  Migration m = M("CREATE TABLE t (id int);");
  ProjectConfig p = Project();
  p.roles["dba"] = {"alice"};
  p.roles["owner"] = {"bob"};
  auto st = EvaluateApprovals(p, "prod", "users", m, Risk::kHigh, {A(m, "alice", "dba"), A(m, "mallory", "owner")});
  EXPECT_FALSE(st[0].satisfied());
  ASSERT_EQ(st[0].ignored.size(), 1u);
  EXPECT_EQ(st[0].ignored[0].actor, "mallory");
  st = EvaluateApprovals(p, "prod", "users", m, Risk::kHigh, {A(m, "alice", "dba"), A(m, "bob", "owner")});
  EXPECT_TRUE(st[0].satisfied());
}

class ApprovalStoreTest : public ::testing::TestWithParam<bool> {};

TEST_P(ApprovalStoreTest, RecordsLoadsAndAudits) {
  std::string url = GetParam() ? strata::testing::FreshPgDatabase("approvals")
                               : "sqlite:" + strata::testing::FreshSqlitePath();
  auto engine = Connect(*DatabaseUrl::Parse(url), "approvals_test");
  ASSERT_TRUE(engine.has_value());
  ApprovalStore store = ApprovalStore::ForTarget(**engine);
  Migration m = M("CREATE TABLE t (id int);");
  // Nothing stored yet: no table, no approvals, no error.
  auto none = store.Load("users", m.id, "prod");
  ASSERT_TRUE(none.has_value()) << none.error().message;
  EXPECT_TRUE(none->empty());
  ASSERT_TRUE(store.EnsureForTarget("users").has_value());
  Actor alice{"alice", "box", "approve users/0002 --role dba", "GITHUB_ACTOR"};
  Approval a = A(m, "", "dba");
  auto first = store.Record(a, alice);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_TRUE(*first);
  auto again = store.Record(a, alice);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(*again);
  auto loaded = store.Load("users", m.id, "prod");
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].actor, "alice");
  EXPECT_EQ((*loaded)[0].actor_source, "GITHUB_ACTOR");
  EXPECT_EQ((*loaded)[0].checksum, ApprovalChecksum(m));
  ProjectConfig p = Project();
  auto st = CheckApprovalsIn(store, p, "prod", "users", m, Risk::kHigh);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ((*st)[0].counted.size(), 1u);
  // Both approvals (the repeat too) are in the audit chain, which verifies.
  AuditFilter f;
  f.action = "approve";
  auto audit = store.audit().Read(**engine, f);
  ASSERT_TRUE(audit.has_value());
  EXPECT_EQ(audit->size(), 2u);
  auto rep = store.audit().Verify(**engine);
  ASSERT_TRUE(rep.has_value());
  EXPECT_TRUE(rep->ok) << rep->message;
}

TEST_P(ApprovalStoreTest, ControlDatabaseHasTheSameChain) {
  std::string url = GetParam() ? strata::testing::FreshPgDatabase("control_gov")
                               : "sqlite:" + strata::testing::FreshSqlitePath();
  auto db = OpenControlDbUrl(*DatabaseUrl::Parse(url));
  ASSERT_TRUE(db.has_value()) << db.error().message;
  Actor bob{"bob", "box", "rollout pause", "os"};
  ASSERT_TRUE(AuditControl(**db, "pause", "", "", bob, R"({"rollout":"r1"})").has_value());
  ASSERT_TRUE(AuditControl(**db, "resume", "", "", bob, R"({"rollout":"r1"})").has_value());
  ApprovalStore store = ApprovalStore::ForControl((*db)->engine());
  Migration m = M("CREATE TABLE t (id int);");
  ASSERT_TRUE(store.Record(A(m, "", "owner"), bob).has_value());
  auto rep = ControlAuditLog(**db).Verify((*db)->engine());
  ASSERT_TRUE(rep.has_value());
  EXPECT_TRUE(rep->ok) << rep->message;
  EXPECT_EQ(rep->records, 3);
}

// Without [control], approvals live in each target; CheckApprovals counts those every target holds.
TEST(ApprovalsFallbackTest, CountsApprovalsHeldByEveryTarget) {
  ProjectConfig p = Project();
  ServiceConfig svc;
  svc.name = "users";
  std::vector<std::string> urls = {"sqlite:" + strata::testing::FreshSqlitePath(),
                                   "sqlite:" + strata::testing::FreshSqlitePath()};
  for (size_t i = 0; i < urls.size(); ++i) {
    TargetSpec t;
    t.env = "prod";
    t.name = "users@prod/" + std::to_string(i + 1);
    t.url_template = urls[i];
    svc.targets.push_back(t);
  }
  p.services.push_back(svc);
  Migration m = M("CREATE TABLE t (id int);");
  Actor alice{"alice", "box", "approve", "flag"}, bob{"bob", "box", "approve", "flag"};
  for (size_t i = 0; i < urls.size(); ++i) {
    auto engine = Connect(*DatabaseUrl::Parse(urls[i]), "approvals_test");
    ASSERT_TRUE(engine.has_value());
    ApprovalStore store = ApprovalStore::ForTarget(**engine);
    ASSERT_TRUE(store.EnsureForTarget("users").has_value());
    ASSERT_TRUE(store.Record(A(m, "", "dba"), alice).has_value());
    if (i == 0) {  // bob reached one target only
      ASSERT_TRUE(store.Record(A(m, "", "owner"), bob).has_value());
    }
  }
  auto st = CheckApprovals(p, "prod", "users", m, Risk::kHigh);
  ASSERT_TRUE(st.has_value()) << st.error().message;
  ASSERT_EQ(st->size(), 1u);
  ASSERT_EQ((*st)[0].counted.size(), 1u);
  EXPECT_EQ((*st)[0].counted[0].actor, "alice");
  EXPECT_FALSE(AllSatisfied(*st));
  // Nothing asked for: no database is read (an unreachable target does not matter).
  p.services[0].targets[0].url_template = "postgres://nobody@127.0.0.1:1/none";
  auto none = CheckApprovals(p, "prod", "users", m, Risk::kLow);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, ApprovalStoreTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Postgres" : "Sqlite"; });

}  // namespace
}  // namespace strata::governance
