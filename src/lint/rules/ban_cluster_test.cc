// Tests of rule ban-cluster (rules/ban_cluster.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(BanClusterTest, Cluster) {
  auto hits = Hits("ban-cluster", "CLUSTER users USING users_pkey;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("rewrites"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(BanClusterTest, ClusterOnPasses) {
  auto hits = Hits("ban-cluster", "ALTER TABLE users CLUSTER ON users_pkey;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
