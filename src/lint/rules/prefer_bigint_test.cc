// Tests of rule prefer-bigint (rules/prefer_bigint.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(PreferBigintTest, IntegerColumn) {
  auto hits = Hits("prefer-bigint", "CREATE TABLE orders (id serial PRIMARY KEY, quantity integer);", {});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(PreferBigintTest, AddColumnInt) {
  auto hits = Hits("prefer-bigint", "ALTER TABLE orders ADD COLUMN n int;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].column, 33);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(PreferBigintTest, BigintPasses) {
  auto hits = Hits("prefer-bigint", "CREATE TABLE orders (id bigint, quantity bigint);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
