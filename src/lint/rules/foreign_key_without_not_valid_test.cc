// Tests of rule foreign-key-without-not-valid (rules/foreign_key_without_not_valid.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(ForeignKeyWithoutNotValidTest, AddForeignKey) {
  auto hits = Hits("foreign-key-without-not-valid", "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].column, 24);
  EXPECT_NE(hits[0].message.find("SHARE ROW EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(ForeignKeyWithoutNotValidTest, NamesReferencedTable) {
  auto hits = Hits("foreign-key-without-not-valid", "ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("\"users\""), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(ForeignKeyWithoutNotValidTest, NotValidPasses) {
  auto hits = Hits("foreign-key-without-not-valid", "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(ForeignKeyWithoutNotValidTest, NewTablePasses) {
  auto hits = Hits("foreign-key-without-not-valid", "CREATE TABLE orders (id bigint, user_id bigint);\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
