#include "core/graph.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

Migration M(std::string id, std::vector<std::string> parents = {}, bool explicit_parents = false) {
  Migration m;
  m.id = id;
  m.name = "m" + id;
  m.path = "migrations/" + id + "_m.sql";
  m.parents = std::move(parents);
  m.parents_explicit = explicit_parents;
  m.parents_file = m.path;
  m.parents_line = explicit_parents ? 1 : 0;
  return m;
}

std::vector<std::string> Ids(const MigrationGraph& g) {
  std::vector<std::string> out;
  for (const auto& m : g.ordered()) out.push_back(m.id);
  return out;
}

TEST(GraphTest, DefaultParentIsPreviousId) {
  auto g = MigrationGraph::Build({M("0003"), M("0001"), M("0002")});
  ASSERT_TRUE(g.has_value()) << g.error().Describe();
  EXPECT_EQ(Ids(*g), (std::vector<std::string>{"0001", "0002", "0003"}));
  EXPECT_EQ(g->Find("0003")->parents, (std::vector<std::string>{"0002"}));
  EXPECT_TRUE(g->Find("0001")->parents.empty());
  EXPECT_EQ(g->Heads(), (std::vector<std::string>{"0003"}));
}

TEST(GraphTest, BranchesAndMerge) {
  auto g = MigrationGraph::Build({M("0001"), M("0002", {"0001"}, true), M("0003", {"0001"}, true),
                                  M("0004", {"0002", "0003"}, true)});
  ASSERT_TRUE(g.has_value()) << g.error().Describe();
  EXPECT_EQ(Ids(*g), (std::vector<std::string>{"0001", "0002", "0003", "0004"}));
  EXPECT_EQ(g->Heads(), (std::vector<std::string>{"0004"}));
  EXPECT_TRUE(g->IsAncestor("0003", "0004"));
  EXPECT_FALSE(g->IsAncestor("0002", "0003"));
  EXPECT_EQ(g->AncestorsOf("0003"), (std::vector<std::string>{"0001", "0003"}));
}

TEST(GraphTest, TwoHeads) {
  auto g = MigrationGraph::Build({M("0001"), M("0002", {"0001"}, true), M("0003", {"0001"}, true)});
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->Heads(), (std::vector<std::string>{"0002", "0003"}));
}

TEST(GraphTest, OrderIsDeterministicByIdAmongReady) {
  // 0005 depends only on 0001; it is ready before 0003 but sorts after it.
  auto g = MigrationGraph::Build({M("0001"), M("0005", {"0001"}, true), M("0003", {"0001"}, true),
                                  M("0004", {"0003"}, true)});
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(Ids(*g), (std::vector<std::string>{"0001", "0003", "0004", "0005"}));
}

TEST(GraphTest, DuplicateIdNamesBothFiles) {
  Migration a = M("0002");
  Migration b = M("0002");
  b.path = "migrations/0002_other.sql";
  auto g = MigrationGraph::Build({M("0001"), a, b});
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().kind, ErrorKind::kInput);
  EXPECT_NE(g.error().message.find("duplicate migration id 0002"), std::string::npos);
  EXPECT_NE(g.error().Describe().find("0002_other.sql"), std::string::npos);
  EXPECT_NE(g.error().Describe().find("0002_m.sql"), std::string::npos);
}

TEST(GraphTest, MissingParentNamesFileAndLine) {
  auto g = MigrationGraph::Build({M("0001"), M("0002", {"0000"}, true)});
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().file, "migrations/0002_m.sql");
  EXPECT_EQ(g.error().line, 1);
  EXPECT_NE(g.error().message.find("parent 0000"), std::string::npos);
}

TEST(GraphTest, CycleIsReportedWithItsPath) {
  auto g = MigrationGraph::Build({M("0001", {"0003"}, true), M("0002", {"0001"}, true), M("0003", {"0002"}, true)});
  ASSERT_FALSE(g.has_value());
  EXPECT_NE(g.error().message.find("cycle"), std::string::npos) << g.error().message;
  EXPECT_NE(g.error().message.find("->"), std::string::npos);
}

TEST(GraphTest, SelfParentRejected) {
  auto g = MigrationGraph::Build({M("0001", {"0001"}, true)});
  ASSERT_FALSE(g.has_value());
  EXPECT_NE(g.error().message.find("itself"), std::string::npos);
}

}  // namespace
}  // namespace strata
