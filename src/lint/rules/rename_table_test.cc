// Tests of rule rename-table (rules/rename_table.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RenameTableTest, Rename) {
  auto hits = Hits("rename-table", "ALTER TABLE users RENAME TO accounts;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("ACCESS EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RenameTableTest, NewTablePasses) {
  auto hits = Hits("rename-table", "CREATE TABLE tmp (id bigint);\nALTER TABLE tmp RENAME TO accounts;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
