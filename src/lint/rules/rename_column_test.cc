// Tests of rule rename-column (rules/rename_column.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RenameColumnTest, Rename) {
  auto hits = Hits("rename-column", "ALTER TABLE users RENAME COLUMN email TO email_address;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("old name"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RenameColumnTest, AddColumnPasses) {
  auto hits = Hits("rename-column", "ALTER TABLE users ADD COLUMN email_address text;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
