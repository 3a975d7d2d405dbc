// Tests of rule ban-truncate (rules/ban_truncate.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(BanTruncateTest, Truncate) {
  auto hits = Hits("ban-truncate", "TRUNCATE audit_log;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].column, 10);
  EXPECT_NE(hits[0].message.find("every row"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(BanTruncateTest, Cascade) {
  auto hits = Hits("ban-truncate", "TRUNCATE audit_log CASCADE;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("CASCADE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(BanTruncateTest, NewTablePasses) {
  auto hits = Hits("ban-truncate", "CREATE TABLE scratch (id bigint);\nTRUNCATE scratch;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
