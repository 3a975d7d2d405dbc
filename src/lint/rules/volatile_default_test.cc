// Tests of rule volatile-default (rules/volatile_default.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(VolatileDefaultTest, GenRandomUuid) {
  auto hits = Hits("volatile-default", "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].column, 41);
  EXPECT_NE(hits[0].message.find("rewrites"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(VolatileDefaultTest, ClockTimestamp) {
  auto hits = Hits("volatile-default", "ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp();", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(VolatileDefaultTest, UnknownFunction) {
  auto hits = Hits("volatile-default", "ALTER TABLE users ADD COLUMN code text DEFAULT make_code();", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("volatile unless"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(VolatileDefaultTest, ConstantPasses) {
  auto hits = Hits("volatile-default", "ALTER TABLE users ADD COLUMN active boolean DEFAULT true;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(VolatileDefaultTest, NowPasses) {
  auto hits = Hits("volatile-default", "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(VolatileDefaultTest, AnyDefaultBeforePg11) {
  auto hits = Hits("volatile-default", "ALTER TABLE users ADD COLUMN active boolean DEFAULT true;", {.pg_major = 10});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("before 11"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

}  // namespace
}  // namespace strata::lint
