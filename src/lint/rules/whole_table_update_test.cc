// Tests of rule whole-table-update (rules/whole_table_update.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(WholeTableUpdateTest, UpdateAll) {
  auto hits = Hits("whole-table-update", "UPDATE users SET country = 'unknown';", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("every row"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(WholeTableUpdateTest, DeleteAll) {
  auto hits = Hits("whole-table-update", "DELETE FROM sessions;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(WholeTableUpdateTest, WhereTrue) {
  auto hits = Hits("whole-table-update", "UPDATE users SET a = 1 WHERE true;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(WholeTableUpdateTest, BatchedPasses) {
  auto hits = Hits("whole-table-update", "UPDATE users SET country = 'unknown' WHERE id IN (SELECT id FROM users WHERE country IS NULL LIMIT 5000);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
