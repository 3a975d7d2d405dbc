// Tests of rule prefer-text (rules/prefer_text.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(PreferTextTest, Varchar) {
  auto hits = Hits("prefer-text", "CREATE TABLE users (id bigint, email varchar(255));", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("varchar(255)"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(PreferTextTest, Char) {
  auto hits = Hits("prefer-text", "ALTER TABLE users ADD COLUMN code char(2);", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(PreferTextTest, TextPasses) {
  auto hits = Hits("prefer-text", "CREATE TABLE users (id bigint, email text, nick varchar);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
