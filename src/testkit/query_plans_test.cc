#include "testkit/query_plans.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(QueryPlans, SummaryCollectsSeqScansAndIndexes) {
  PlanSummary s = SummarisePlan(R"([{"Plan": {"Node Type": "Nested Loop", "Total Cost": 12.5, "Plans": [
      {"Node Type": "Seq Scan", "Schema": "public", "Relation Name": "orders"},
      {"Node Type": "Index Scan", "Index Name": "users_pkey", "Relation Name": "users"}]}}])");
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.seq_scans, std::set<std::string>({"public.orders"}));
  EXPECT_EQ(s.indexes, std::set<std::string>({"users_pkey"}));
  EXPECT_DOUBLE_EQ(s.total_cost, 12.5);
  EXPECT_FALSE(SummarisePlan("not json").ok);
}

TEST(QueryPlans, ComparisonReportsNewSeqScansAndDroppedIndexes) {
  PlanSummary before, after;
  before.ok = after.ok = true;
  before.indexes = {"orders_customer"};
  after.seq_scans = {"public.orders"};
  auto changes = ComparePlans("q", before, after);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].change, "new seq scan");
  EXPECT_EQ(changes[0].object, "public.orders");
  EXPECT_EQ(changes[1].change, "index no longer used");
  EXPECT_EQ(changes[1].object, "orders_customer");
  EXPECT_TRUE(ComparePlans("q", before, before).empty());
  PlanSummary broken;
  broken.error = "column x does not exist";
  ASSERT_EQ(ComparePlans("q", before, broken).size(), 1u);
  EXPECT_EQ(ComparePlans("q", before, broken)[0].change, "no longer plans");
  EXPECT_TRUE(ComparePlans("q", broken, after).empty());  // did not plan before: nothing to compare
}

}  // namespace
}  // namespace strata
