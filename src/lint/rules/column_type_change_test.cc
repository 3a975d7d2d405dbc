// Tests of rule column-type-change (rules/column_type_change.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(ColumnTypeChangeTest, IntToBigint) {
  auto hits = Hits("column-type-change", "ALTER TABLE orders ALTER COLUMN id TYPE bigint;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("rewrites"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(ColumnTypeChangeTest, UsingExpression) {
  auto hits = Hits("column-type-change", "ALTER TABLE orders ALTER COLUMN total TYPE numeric USING total::numeric;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(ColumnTypeChangeTest, ToTextPasses) {
  auto hits = Hits("column-type-change", "ALTER TABLE users ALTER COLUMN email TYPE text;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(ColumnTypeChangeTest, KnownVarcharWideningPasses) {
  auto hits = Hits("column-type-change", "CREATE TABLE t (name varchar(10));\nALTER TABLE t ALTER COLUMN name TYPE varchar(20);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
