// Tests of rule alter-table-rewrite (rules/alter_table_rewrite.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(AlterTableRewriteTest, SetLogged) {
  auto hits = Hits("alter-table-rewrite", "ALTER TABLE events SET LOGGED;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("rewrites"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(AlterTableRewriteTest, SetTablespace) {
  auto hits = Hits("alter-table-rewrite", "ALTER TABLE events SET TABLESPACE fast;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(AlterTableRewriteTest, FillfactorPasses) {
  auto hits = Hits("alter-table-rewrite", "ALTER TABLE events SET (fillfactor = 90);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
