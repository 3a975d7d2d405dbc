#include "branch/branch_check.h"

#include <gtest/gtest.h>

#include "branch/test_util.h"

namespace strata::branch {
namespace {

using testing::G;
using testing::M;

std::vector<std::string> Kinds(const CheckReport& r) {
  std::vector<std::string> k;
  for (const auto& p : r.problems) k.push_back(p.kind);
  return k;
}

std::vector<Migration> Base2() {
  return {M("0001_users", "CREATE TABLE users (id int);"), M("0002_orders", "CREATE TABLE orders (id int);")};
}

TEST(BranchCheckTest, UpToDateBranchHasNoProblems) {
  auto base = G(Base2());
  std::vector<Migration> work = Base2();
  work.push_back(M("0003_phone", "ALTER TABLE users ADD COLUMN phone text;"));
  CheckReport r = CheckBranch(work, base, "main");
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.added, std::vector<std::string>{"0003_phone"});
  EXPECT_EQ(r.suggestion, "");
}

TEST(BranchCheckTest, BehindWithOverlapAsksForRebase) {
  auto base_ms = Base2();
  base_ms.push_back(M("0003_email", "ALTER TABLE users ADD COLUMN email text;"));
  auto base = G(base_ms);
  std::vector<Migration> work = Base2();
  work.push_back(M("0004_phone", "ALTER TABLE users ADD COLUMN phone text;"));
  CheckReport r = CheckBranch(work, base, "main");
  EXPECT_EQ(Kinds(r), (std::vector<std::string>{"overlap", "behind"}));
  EXPECT_EQ(r.suggestion, "rebase");
  ASSERT_EQ(r.shared.size(), 1u);
  EXPECT_EQ(r.shared[0].name, "users");
  EXPECT_EQ(r.base_gained, std::vector<std::string>{"0003_email"});
}

TEST(BranchCheckTest, BehindWithDisjointObjectsSuggestsMerge) {
  auto base_ms = Base2();
  base_ms.push_back(M("0003_email", "ALTER TABLE users ADD COLUMN email text;"));
  auto base = G(base_ms);
  std::vector<Migration> work = Base2();
  work.push_back(M("0004_total", "ALTER TABLE orders ADD COLUMN total numeric;"));
  CheckReport r = CheckBranch(work, base, "main");
  EXPECT_EQ(Kinds(r), std::vector<std::string>{"behind"});
  EXPECT_EQ(r.suggestion, "merge");
  EXPECT_NE(r.problems[0].message.find("`git merge main` joins them"), std::string::npos) << r.problems[0].message;
}

TEST(BranchCheckTest, ReferencingTheSameTableIsNotAnOverlap) {
  auto base_ms = Base2();
  base_ms.push_back(M("0003_a", "CREATE TABLE a (u int REFERENCES users (id));"));
  auto base = G(base_ms);
  std::vector<Migration> work = Base2();
  work.push_back(M("0004_b", "CREATE TABLE b (u int REFERENCES users (id));"));
  CheckReport r = CheckBranch(work, base, "main");
  EXPECT_TRUE(r.shared.empty());
  EXPECT_EQ(r.suggestion, "merge");
}

TEST(BranchCheckTest, CollisionsEditsAndDeletions) {
  auto base_ms = Base2();
  base_ms.push_back(M("0003_email", "ALTER TABLE users ADD COLUMN email text;"));
  auto base = G(base_ms);
  std::vector<Migration> work{M("0001_users", "CREATE TABLE users (id bigint);"),
                              M("0003_phone", "ALTER TABLE users ADD COLUMN phone text;", "-- strata:parents 0001\n")};
  CheckReport r = CheckBranch(work, base, "main");
  std::vector<std::string> kinds = Kinds(r);
  EXPECT_EQ(kinds.front(), "collision");
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "edited"), kinds.end());
  EXPECT_EQ(std::find(kinds.begin(), kinds.end(), "removed"), kinds.end());  // 0002 came after the fork
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "behind"), kinds.end());
}

TEST(BranchCheckTest, DeletedBaseMigrationIsReported) {
  auto base = G(Base2());
  std::vector<Migration> work{M("0001_users", "CREATE TABLE users (id int);"),
                              M("0003_x", "SELECT 1;", "-- strata:parents 0002\n")};
  CheckReport r = CheckBranch(work, base, "main");
  EXPECT_EQ(Kinds(r), std::vector<std::string>{"removed"});
}

TEST(BranchCheckTest, DisjointButInterleavedImplicitParentsMeansRebase) {
  // The base's new migration has an implicit parent and a newer id than the branch's: after a
  // git merge it would follow the branch's migration, which production has not applied.
  std::vector<Migration> base_ms{M("0001_users", "CREATE TABLE users (id int);"),
                                 M("0003_email", "ALTER TABLE users ADD COLUMN email text;")};
  auto base = G(base_ms);
  std::vector<Migration> work{M("0001_users", "CREATE TABLE users (id int);"),
                              M("0002_orders", "CREATE TABLE orders (id int);", "-- strata:parents 0001\n")};
  CheckReport r = CheckBranch(work, base, "main");
  EXPECT_EQ(r.suggestion, "rebase");
  ASSERT_EQ(Kinds(r), std::vector<std::string>{"behind"});
  EXPECT_NE(r.problems[0].message.find("0003_email would follow 0002"), std::string::npos) << r.problems[0].message;
}

TEST(BranchCheckTest, ParallelLinesWithExplicitParentsNeedAMergeMigration) {
  std::vector<Migration> base_ms{M("0001_users", "CREATE TABLE users (id int);"),
                                 M("0002_email", "ALTER TABLE users ADD COLUMN email text;")};
  auto base = G(base_ms);
  std::vector<Migration> work{M("0001_users", "CREATE TABLE users (id int);"),
                              M("0003_orders", "CREATE TABLE orders (id int);", "-- strata:parents 0001\n")};
  CheckReport r = CheckBranch(work, base, "main");
  EXPECT_EQ(r.suggestion, "merge");
  EXPECT_NE(r.problems[0].message.find("then `strata merge`"), std::string::npos) << r.problems[0].message;
}

TEST(BranchCheckTest, AMergeMigrationMakesTheBranchCurrentButOverlapsStillCount) {
  std::vector<Migration> base_ms{M("0001_users", "CREATE TABLE users (id int);"),
                                 M("0002_email", "ALTER TABLE users ADD COLUMN email text;")};
  auto base = G(base_ms);
  std::vector<Migration> work = base_ms;
  work.push_back(M("0003_orders", "CREATE TABLE orders (id int);", "-- strata:parents 0001\n"));
  work.push_back(M("0004_merge", "SELECT 1;", "-- strata:parents 0002 0003\n"));
  CheckReport r = CheckBranch(work, base, "main");
  EXPECT_TRUE(r.problems.empty()) << r.problems[0].message;
  work[2] = M("0003_phone", "ALTER TABLE users ADD COLUMN phone text;", "-- strata:parents 0001\n");
  work[3] = M("0004_merge", "SELECT 1;", "-- strata:parents 0002 0003\n");
  r = CheckBranch(work, base, "main");
  EXPECT_EQ(Kinds(r), std::vector<std::string>{"overlap"});
}

}  // namespace
}  // namespace strata::branch
