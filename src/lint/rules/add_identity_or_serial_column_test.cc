// Tests of rule add-identity-or-serial-column (rules/add_identity_or_serial_column.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(AddIdentityOrSerialColumnTest, Bigserial) {
  auto hits = Hits("add-identity-or-serial-column", "ALTER TABLE events ADD COLUMN seq bigserial;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("rewrites"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(AddIdentityOrSerialColumnTest, Identity) {
  auto hits = Hits("add-identity-or-serial-column", "ALTER TABLE events ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(AddIdentityOrSerialColumnTest, PlainBigintPasses) {
  auto hits = Hits("add-identity-or-serial-column", "ALTER TABLE events ADD COLUMN seq bigint;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
