// Tests of rule ban-lock-table (rules/ban_lock_table.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(BanLockTableTest, LockTable) {
  auto hits = Hits("ban-lock-table", "BEGIN;\nLOCK TABLE users;\nCOMMIT;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].line, 2);
  EXPECT_NE(hits[0].message.find("ACCESS EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(BanLockTableTest, ShareMode) {
  auto hits = Hits("ban-lock-table", "LOCK TABLE users IN SHARE MODE;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("SHARE lock"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(BanLockTableTest, WeakModePasses) {
  auto hits = Hits("ban-lock-table", "LOCK TABLE users IN SHARE UPDATE EXCLUSIVE MODE;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
