// Tests of rule enum-rename-value (rules/enum_rename_value.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(EnumRenameValueTest, RenameValue) {
  auto hits = Hits("enum-rename-value", "ALTER TYPE order_status RENAME VALUE 'shipped' TO 'dispatched';", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("old label"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(EnumRenameValueTest, AddValuePasses) {
  auto hits = Hits("enum-rename-value", "ALTER TYPE order_status ADD VALUE 'dispatched';", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
