// Tests of rule require-primary-key-using-index (rules/require_primary_key_using_index.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(RequirePrimaryKeyUsingIndexTest, AddPrimaryKey) {
  auto hits = Hits("require-primary-key-using-index", "ALTER TABLE users ADD PRIMARY KEY (id);", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("ACCESS EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(RequirePrimaryKeyUsingIndexTest, UsingIndexPasses) {
  auto hits = Hits("require-primary-key-using-index", "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(RequirePrimaryKeyUsingIndexTest, NewTablePasses) {
  auto hits = Hits("require-primary-key-using-index", "CREATE TABLE t (id bigint);\nALTER TABLE t ADD PRIMARY KEY (id);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
