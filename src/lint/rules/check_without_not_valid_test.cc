// Tests of rule check-without-not-valid (rules/check_without_not_valid.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(CheckWithoutNotValidTest, AddCheck) {
  auto hits = Hits("check-without-not-valid", "ALTER TABLE orders ADD CONSTRAINT positive CHECK (total >= 0);", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("ACCESS EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(CheckWithoutNotValidTest, NotValidPasses) {
  auto hits = Hits("check-without-not-valid", "ALTER TABLE orders ADD CONSTRAINT positive CHECK (total >= 0) NOT VALID;", {});
  ASSERT_EQ(hits.size(), 0u);
}

TEST(CheckWithoutNotValidTest, ForeignKeyIsNotThisRule) {
  auto hits = Hits("check-without-not-valid", "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES b (id);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
