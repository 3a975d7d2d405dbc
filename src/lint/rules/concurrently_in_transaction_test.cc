// Tests of rule concurrently-in-transaction (rules/concurrently_in_transaction.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(ConcurrentlyInTransactionTest, ConcurrentIndexAfterBegin) {
  auto hits = Hits("concurrently-in-transaction", "BEGIN;\nCREATE INDEX CONCURRENTLY i ON users (email);\nCOMMIT;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].line, 2);
  EXPECT_NE(hits[0].message.find("cannot run inside a transaction block"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(ConcurrentlyInTransactionTest, ConcurrentIndexInMigration) {
  auto hits = Hits("concurrently-in-transaction", "CREATE INDEX CONCURRENTLY i ON users (email);", {.in_transaction = true});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("strata:no-transaction"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(ConcurrentlyInTransactionTest, DropConcurrentlyInMigration) {
  auto hits = Hits("concurrently-in-transaction", "DROP INDEX CONCURRENTLY i;", {.in_transaction = true});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(ConcurrentlyInTransactionTest, VacuumInTransaction) {
  auto hits = Hits("concurrently-in-transaction", "BEGIN; VACUUM users; COMMIT;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(ConcurrentlyInTransactionTest, OutsideTransactionPasses) {
  auto hits = Hits("concurrently-in-transaction", "CREATE INDEX CONCURRENTLY i ON users (email);", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(ConcurrentlyInTransactionTest, AfterCommitPasses) {
  auto hits = Hits("concurrently-in-transaction", "BEGIN;\nSELECT 1;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON users (email);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
