// Tests of rule require-concurrent-reindex (rules/require_concurrent_reindex.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RequireConcurrentReindexTest, ReindexIndex) {
  auto hits = Hits("require-concurrent-reindex", "REINDEX INDEX idx_users_email;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("SHARE lock"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireConcurrentReindexTest, ReindexTable) {
  auto hits = Hits("require-concurrent-reindex", "REINDEX TABLE users;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireConcurrentReindexTest, ConcurrentlyPasses) {
  auto hits = Hits("require-concurrent-reindex", "REINDEX INDEX CONCURRENTLY idx_users_email;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
