// Tests of rule require-concurrent-index-drop (rules/require_concurrent_index_drop.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RequireConcurrentIndexDropTest, PlainDrop) {
  auto hits = Hits("require-concurrent-index-drop", "DROP INDEX idx_users_email;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("ACCESS EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireConcurrentIndexDropTest, ConcurrentlyPasses) {
  auto hits = Hits("require-concurrent-index-drop", "DROP INDEX CONCURRENTLY idx_users_email;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(RequireConcurrentIndexDropTest, DropTableIsNotThisRule) {
  auto hits = Hits("require-concurrent-index-drop", "DROP TABLE users;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
