// Tests of rule domain-check-without-not-valid (rules/domain_check_without_not_valid.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(DomainCheckWithoutNotValidTest, AddCheck) {
  auto hits = Hits("domain-check-without-not-valid", "ALTER DOMAIN email_address ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%');", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("SHARE lock"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(DomainCheckWithoutNotValidTest, NotValidPasses) {
  auto hits = Hits("domain-check-without-not-valid", "ALTER DOMAIN email_address ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%') NOT VALID;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
