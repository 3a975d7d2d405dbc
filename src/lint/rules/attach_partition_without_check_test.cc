// Tests of rule attach-partition-without-check (rules/attach_partition_without_check.cc).
#include <gtest/gtest.h>

#include "lint/rules/rule_test_util.h"

namespace strata::lint {
namespace {

using testing::Hits;

TEST(AttachPartitionWithoutCheckTest, Attach) {
  auto hits = Hits("attach-partition-without-check", "ALTER TABLE measurements ATTACH PARTITION measurements_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("SHARE UPDATE EXCLUSIVE"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(AttachPartitionWithoutCheckTest, Pg11TakesAel) {
  auto hits = Hits("attach-partition-without-check", "ALTER TABLE measurements ATTACH PARTITION m FOR VALUES FROM (1) TO (2);", {.pg_major = 11});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].message.find("and ACCESS EXCLUSIVE on"), std::string::npos) << hits[0].message;
  EXPECT_FALSE(hits[0].help.empty());
}

TEST(AttachPartitionWithoutCheckTest, NewPartitionPasses) {
  auto hits = Hits("attach-partition-without-check", "CREATE TABLE m26 (LIKE measurements);\nALTER TABLE measurements ATTACH PARTITION m26 FOR VALUES FROM (1) TO (2);", {});
  ASSERT_EQ(hits.size(), 0u);
}

}  // namespace
}  // namespace strata::lint
