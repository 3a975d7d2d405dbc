// Tests of rule ban-vacuum-full (rules/ban_vacuum_full.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(BanVacuumFullTest, VacuumFull) {
  auto hits = Hits("ban-vacuum-full", "VACUUM FULL users;", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("ACCESS EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(BanVacuumFullTest, PlainVacuumPasses) {
  auto hits = Hits("ban-vacuum-full", "VACUUM (ANALYZE) users;", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
