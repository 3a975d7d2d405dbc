// Tests of rule require-concurrent-index (rules/require_concurrent_index.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RequireConcurrentIndexTest, PlainCreateIndexOnExistingTable) {
  auto hits = Hits("require-concurrent-index", "CREATE INDEX idx_users_email ON users (email);", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].line, 1);
  EXPECT_EQ(hits[0].column, 1);
  EXPECT_NE(hits[0].message.find("SHARE lock"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireConcurrentIndexTest, UniqueIndexToo) {
  auto hits = Hits("require-concurrent-index", "SELECT 1;\nCREATE UNIQUE INDEX u ON public.users (email);", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].line, 2);
  EXPECT_NE(hits[0].message.find("blocks all writes"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireConcurrentIndexTest, ConcurrentlyPasses) {
  auto hits = Hits("require-concurrent-index", "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(RequireConcurrentIndexTest, TableCreatedInSameFilePasses) {
  auto hits = Hits("require-concurrent-index", "CREATE TABLE t (id bigint);\nCREATE INDEX t_id ON t (id);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
