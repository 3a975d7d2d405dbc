// Tests of rule validate-in-same-transaction (rules/validate_in_same_transaction.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(ValidateInSameTransactionTest, SameMigration) {
  auto hits = Hits("validate-in-same-transaction", "ALTER TABLE orders ADD CONSTRAINT positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT positive;", {.in_transaction = true});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].line, 2);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(ValidateInSameTransactionTest, SameBeginBlock) {
  auto hits = Hits("validate-in-same-transaction", "BEGIN;\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT fk;\nCOMMIT;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(ValidateInSameTransactionTest, CommitBetweenPasses) {
  auto hits = Hits("validate-in-same-transaction", "BEGIN;\nALTER TABLE orders ADD CONSTRAINT positive CHECK (total >= 0) NOT VALID;\nCOMMIT;\nALTER TABLE orders VALIDATE CONSTRAINT positive;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(ValidateInSameTransactionTest, NoTransactionPasses) {
  auto hits = Hits("validate-in-same-transaction", "ALTER TABLE orders ADD CONSTRAINT positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT positive;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
