// Tests of rule prefer-timestamptz (rules/prefer_timestamptz.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(PreferTimestamptzTest, Timestamp) {
  auto hits = Hits("prefer-timestamptz", "CREATE TABLE events (id bigint, happened_at timestamp);", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].column, 45);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(PreferTimestamptzTest, AlterType) {
  auto hits = Hits("prefer-timestamptz", "ALTER TABLE events ALTER COLUMN at TYPE timestamp without time zone;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(PreferTimestamptzTest, TimestamptzPasses) {
  auto hits = Hits("prefer-timestamptz", "CREATE TABLE events (id bigint, happened_at timestamptz);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
