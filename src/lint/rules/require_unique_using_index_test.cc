// Tests of rule require-unique-using-index (rules/require_unique_using_index.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RequireUniqueUsingIndexTest, AddUnique) {
  auto hits = Hits("require-unique-using-index", "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("ACCESS EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireUniqueUsingIndexTest, AddColumnUnique) {
  auto hits = Hits("require-unique-using-index", "ALTER TABLE users ADD COLUMN handle text UNIQUE;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequireUniqueUsingIndexTest, UsingIndexPasses) {
  auto hits = Hits("require-unique-using-index", "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
