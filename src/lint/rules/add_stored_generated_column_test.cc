// Tests of rule add-stored-generated-column (rules/add_stored_generated_column.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(AddStoredGeneratedColumnTest, Stored) {
  auto hits = Hits("add-stored-generated-column", "ALTER TABLE users ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("ACCESS EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(AddStoredGeneratedColumnTest, PlainColumnPasses) {
  auto hits = Hits("add-stored-generated-column", "ALTER TABLE users ADD COLUMN email_lower text;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
