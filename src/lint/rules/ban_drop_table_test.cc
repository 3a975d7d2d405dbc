// Tests of rule ban-drop-table (rules/ban_drop_table.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(BanDropTableTest, DropTable) {
  auto hits = Hits("ban-drop-table", "DROP TABLE legacy_sessions;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("deletes its data"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(BanDropTableTest, TwoTables) {
  auto hits = Hits("ban-drop-table", "DROP TABLE a, b;", {});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(BanDropTableTest, TableCreatedInFilePasses) {
  auto hits = Hits("ban-drop-table", "CREATE TABLE scratch (id bigint);\nDROP TABLE scratch;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
