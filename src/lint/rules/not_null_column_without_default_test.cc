// Tests of rule not-null-column-without-default (rules/not_null_column_without_default.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(NotNullColumnWithoutDefaultTest, NotNullNoDefault) {
  auto hits = Hits("not-null-column-without-default", "ALTER TABLE users ADD COLUMN country text NOT NULL;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].column, 43);
  EXPECT_NE(hits[0].message.find("fails on a non-empty table"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(NotNullColumnWithoutDefaultTest, WithDefaultPasses) {
  auto hits = Hits("not-null-column-without-default", "ALTER TABLE users ADD COLUMN country text NOT NULL DEFAULT 'unknown';", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(NotNullColumnWithoutDefaultTest, NullablePasses) {
  auto hits = Hits("not-null-column-without-default", "ALTER TABLE users ADD COLUMN country text;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
