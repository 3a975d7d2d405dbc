// Tests of rule require-statement-timeout (rules/require_statement_timeout.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RequireStatementTimeoutTest, ScanWithoutTimeout) {
  auto hits = Hits("require-statement-timeout", "CREATE INDEX i ON users (email);", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("without a statement_timeout"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireStatementTimeoutTest, TimeoutSetPasses) {
  auto hits = Hits("require-statement-timeout", "SET statement_timeout = '5min';\nCREATE INDEX i ON users (email);", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(RequireStatementTimeoutTest, CatalogOnlyPasses) {
  auto hits = Hits("require-statement-timeout", "ALTER TABLE users ADD COLUMN nickname text;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
