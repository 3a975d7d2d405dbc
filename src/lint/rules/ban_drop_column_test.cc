// Tests of rule ban-drop-column (rules/ban_drop_column.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(BanDropColumnTest, DropColumn) {
  auto hits = Hits("ban-drop-column", "ALTER TABLE users DROP COLUMN legacy_flag;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("breaks"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(BanDropColumnTest, SuppressedWithReasonPasses) {
  auto hits = Hits("ban-drop-column", "-- strata:ignore ban-drop-column unused since release 42\nALTER TABLE users DROP COLUMN legacy_flag;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(BanDropColumnTest, SuppressionWithoutReasonIsNotApplied) {
  auto hits = Hits("ban-drop-column", "-- strata:ignore ban-drop-column\nALTER TABLE users DROP COLUMN legacy_flag;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

}  // namespace
}  // namespace strata::lint
