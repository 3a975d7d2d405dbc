// Tests of rule require-concurrent-detach (rules/require_concurrent_detach.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RequireConcurrentDetachTest, Detach) {
  auto hits = Hits("require-concurrent-detach", "ALTER TABLE measurements DETACH PARTITION measurements_2020;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("ACCESS EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireConcurrentDetachTest, ConcurrentlyPasses) {
  auto hits = Hits("require-concurrent-detach", "ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
