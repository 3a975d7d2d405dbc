// Tests of rule require-concurrent-refresh (rules/require_concurrent_refresh.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RequireConcurrentRefreshTest, Refresh) {
  auto hits = Hits("require-concurrent-refresh", "REFRESH MATERIALIZED VIEW daily_totals;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("ACCESS EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireConcurrentRefreshTest, ConcurrentlyPasses) {
  auto hits = Hits("require-concurrent-refresh", "REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
