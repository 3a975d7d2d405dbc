// Tests of rule enum-add-value-in-transaction (rules/enum_add_value_in_transaction.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(EnumAddValueInTransactionTest, InMigration) {
  auto hits = Hits("enum-add-value-in-transaction", "ALTER TYPE order_status ADD VALUE 'refunded';", {.in_transaction = true});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("hides the new value"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(EnumAddValueInTransactionTest, FailsBeforePg12) {
  auto hits = Hits("enum-add-value-in-transaction", "BEGIN;\nALTER TYPE order_status ADD VALUE 'refunded';\nCOMMIT;", {.pg_major = 11});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("fails on PostgreSQL 11"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(EnumAddValueInTransactionTest, NoTransactionPasses) {
  auto hits = Hits("enum-add-value-in-transaction", "ALTER TYPE order_status ADD VALUE 'refunded';", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
