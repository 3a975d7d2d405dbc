// Tests of rule require-check-for-set-not-null (rules/require_check_for_set_not_null.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RequireCheckForSetNotNullTest, SetNotNull) {
  auto hits = Hits("require-check-for-set-not-null", "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("scans every row"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireCheckForSetNotNullTest, ValidatedCheckFirstPasses) {
  auto hits = Hits("require-check-for-set-not-null", "ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(RequireCheckForSetNotNullTest, ValidatedCheckDoesNotHelpBeforePg12) {
  auto hits = Hits("require-check-for-set-not-null", "ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;", {.pg_major = 11});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireCheckForSetNotNullTest, UnvalidatedCheckDoesNotHelp) {
  auto hits = Hits("require-check-for-set-not-null", "ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

}  // namespace
}  // namespace strata::lint
