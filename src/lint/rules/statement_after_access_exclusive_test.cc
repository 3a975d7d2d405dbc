// Tests of rule statement-after-access-exclusive (rules/statement_after_access_exclusive.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(StatementAfterAccessExclusiveTest, UpdateAfterAddColumn) {
  auto hits = Hits("statement-after-access-exclusive", "ALTER TABLE users ADD COLUMN nickname text;\nUPDATE users SET nickname = name WHERE nickname IS NULL;", {.in_transaction = true});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].line, 2);
  EXPECT_NE(hits[0].message.find("taken at line 1"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(StatementAfterAccessExclusiveTest, OtherTableAfterAel) {
  auto hits = Hits("statement-after-access-exclusive", "BEGIN;\nALTER TABLE users DROP COLUMN x;\nALTER TABLE orders ADD COLUMN y text;\nCOMMIT;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(StatementAfterAccessExclusiveTest, NoTransactionPasses) {
  auto hits = Hits("statement-after-access-exclusive", "ALTER TABLE users ADD COLUMN nickname text;\nUPDATE users SET nickname = name WHERE nickname IS NULL;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(StatementAfterAccessExclusiveTest, CheapFollowUpPasses) {
  auto hits = Hits("statement-after-access-exclusive", "ALTER TABLE users ADD COLUMN nickname text;\nALTER TABLE users ALTER COLUMN nickname SET DEFAULT '';", {.in_transaction = true});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
