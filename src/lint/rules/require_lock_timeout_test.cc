// Tests of rule require-lock-timeout (rules/require_lock_timeout.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RequireLockTimeoutTest, MissingTimeout) {
  auto hits = Hits("require-lock-timeout", "ALTER TABLE users ADD COLUMN nickname text;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].column, 13);
  EXPECT_NE(hits[0].message.find("queues"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireLockTimeoutTest, OncePerFile) {
  auto hits = Hits("require-lock-timeout", "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ADD COLUMN b text;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireLockTimeoutTest, TimeoutSetPasses) {
  auto hits = Hits("require-lock-timeout", "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN nickname text;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(RequireLockTimeoutTest, WeakLockPasses) {
  auto hits = Hits("require-lock-timeout", "CREATE INDEX CONCURRENTLY i ON users (email);", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(RequireLockTimeoutTest, TimeoutZeroDoesNotCount) {
  auto hits = Hits("require-lock-timeout", "SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN nickname text;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

}  // namespace
}  // namespace strata::lint
