// The risk rules and the duration model, without a database.
#include "plan/risk.h"

#include <gtest/gtest.h>

namespace strata::plan {
namespace {

using lint::LockMode;

lint::StatementFacts Facts(LockMode mode, bool rewrite, bool scan, std::string table = "t") {
  lint::StatementFacts f;
  f.kind = "TEST";
  f.locks.push_back(lint::TableLock{table, mode, "target", -1});
  f.rewrite = rewrite;
  f.scan = scan;
  return f;
}

RelationSize Existing(int64_t bytes, std::string name = "t") {
  RelationSize r;
  r.name = std::move(name);
  r.role = "target";
  r.exists = true;
  r.bytes = bytes;
  r.rows = bytes / 40;
  return r;
}

constexpr int64_t kMB = 1024 * 1024;

TEST(RiskTest, NamesRoundTrip) {
  for (Risk r : {Risk::kLow, Risk::kMedium, Risk::kHigh}) EXPECT_EQ(ParseRisk(RiskName(r)), r);
  EXPECT_EQ(ParseRisk("HIGH"), Risk::kHigh);
  EXPECT_FALSE(ParseRisk("severe"));
}

TEST(RiskTest, RewriteUnderAccessExclusiveGrowsWithSize) {
  DurationModel m;
  auto small = AssessStatement(Facts(LockMode::kAccessExclusive, true, true), true, {Existing(10 * kMB)}, {}, m);
  auto big = AssessStatement(Facts(LockMode::kAccessExclusive, true, true), true, {Existing(100 * kMB)}, {}, m);
  EXPECT_EQ(small.risk, Risk::kHigh);
  EXPECT_EQ(big.risk, Risk::kHigh);
  EXPECT_GT(big.lock_seconds, small.lock_seconds);
  EXPECT_NEAR(big.lock_seconds, 100.0 * kMB / m.rewrite_bytes_per_second + m.metadata_seconds, 1e-9);
  EXPECT_EQ(big.lock, LockMode::kAccessExclusive);
  EXPECT_EQ(big.lock_table, "t");
  EXPECT_NE(big.reasons.front().find("rewrites \"t\""), std::string::npos) << big.reasons.front();
}

TEST(RiskTest, TinyTablesAreLowAndLongScansHigh) {
  DurationModel m;
  auto tiny = AssessStatement(Facts(LockMode::kAccessExclusive, true, true), true, {Existing(64 * 1024)}, {}, m);
  EXPECT_EQ(tiny.risk, Risk::kLow);
  auto scan = AssessStatement(Facts(LockMode::kShare, false, true), true, {Existing(50 * kMB)}, {}, m);
  EXPECT_EQ(scan.risk, Risk::kMedium);
  EXPECT_NEAR(scan.lock_seconds, 50.0 * kMB / m.scan_bytes_per_second + m.metadata_seconds, 1e-9);
  auto long_scan = AssessStatement(Facts(LockMode::kShare, false, true), true, {Existing(800 * kMB)}, {}, m);
  EXPECT_EQ(long_scan.risk, Risk::kHigh);
  auto big = AssessStatement(Facts(LockMode::kShareRowExclusive, false, true), true, {Existing(2048 * kMB)}, {},
                             DurationModel{.scan_bytes_per_second = 1e12});
  EXPECT_EQ(big.risk, Risk::kHigh);
  EXPECT_NE(big.reasons.front().find("big"), std::string::npos);
}

TEST(RiskTest, WeakLocksMetadataAndNewTablesAreLow) {
  DurationModel m;
  auto concurrent = AssessStatement(Facts(LockMode::kShareUpdateExclusive, false, true), true, {Existing(800 * kMB)},
                                    {}, m);
  EXPECT_EQ(concurrent.risk, Risk::kLow);
  EXPECT_GT(concurrent.lock_seconds, 1.0);  // held long, but it blocks nobody
  auto metadata = AssessStatement(Facts(LockMode::kAccessExclusive, false, false), true, {Existing(800 * kMB)}, {}, m);
  EXPECT_EQ(metadata.risk, Risk::kLow);
  EXPECT_DOUBLE_EQ(metadata.lock_seconds, m.metadata_seconds);
  RelationSize fresh = Existing(0);
  fresh.created_in_plan = true;
  auto created = AssessStatement(Facts(LockMode::kAccessExclusive, true, true), true, {fresh}, {}, m);
  EXPECT_EQ(created.risk, Risk::kLow);
  RelationSize missing;
  missing.name = "t";
  auto absent = AssessStatement(Facts(LockMode::kAccessExclusive, true, true), true, {missing}, {}, m);
  EXPECT_EQ(absent.risk, Risk::kLow);
}

TEST(RiskTest, LintErrorsAndUnparseableAreAtLeastMedium) {
  DurationModel m;
  lint::Finding f;
  f.rule = "some-rule";
  f.severity = lint::Severity::kError;
  f.message = "bad";
  auto r = AssessStatement(Facts(LockMode::kAccessExclusive, false, false), true, {Existing(kMB)}, {f}, m);
  EXPECT_EQ(r.risk, Risk::kMedium);
  EXPECT_NE(r.reasons.front().find("some-rule"), std::string::npos);
  f.severity = lint::Severity::kWarning;
  EXPECT_EQ(AssessStatement(Facts(LockMode::kAccessExclusive, false, false), true, {Existing(kMB)}, {f}, m).risk,
            Risk::kLow);
  EXPECT_EQ(AssessStatement(lint::StatementFacts{}, false, {}, {}, m).risk, Risk::kMedium);
}

TEST(RiskTest, Formatting) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(8192), "8.0 kB");
  EXPECT_EQ(FormatBytes(12 * kMB + kMB / 2), "12.5 MB");
  EXPECT_EQ(FormatSeconds(0.004), "4 ms");
  EXPECT_EQ(FormatSeconds(2.5), "2.5 s");
  EXPECT_EQ(FormatSeconds(180), "3.0 min");
}

}  // namespace
}  // namespace strata::plan
