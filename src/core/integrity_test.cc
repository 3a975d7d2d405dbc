#include "core/integrity.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(IntegrityTest, RoundTripAndNoProblems) {
  auto f = IntegrityFile::Compute({{"0002_b.sql", "two"}, {"0001_a.sql", "one"}});
  ASSERT_EQ(f.entries().size(), 2u);
  EXPECT_EQ(f.entries()[0].path, "0001_a.sql");
  auto parsed = IntegrityFile::Parse(f.Render(), "strata.sum");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().Describe();
  EXPECT_TRUE(CompareIntegrity(*parsed, f).empty());
}

TEST(IntegrityTest, DetectsChangedAddedRemoved) {
  auto recorded = IntegrityFile::Compute({{"0001_a.sql", "one"}, {"0002_b.sql", "two"}});
  auto now = IntegrityFile::Compute({{"0001_a.sql", "ONE"}, {"0003_c.sql", "three"}});
  auto parsed = IntegrityFile::Parse(recorded.Render(), "strata.sum");
  auto problems = CompareIntegrity(*parsed, now);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].path, "0001_a.sql");
  EXPECT_EQ(problems[0].problem, "changed");
  EXPECT_EQ(problems[0].line, 2);
  EXPECT_EQ(problems[1].problem, "removed");
  EXPECT_EQ(problems[2].problem, "added");
}

TEST(IntegrityTest, HandEditedEntryBreaksTheChain) {
  auto f = IntegrityFile::Compute({{"0001_a.sql", "one"}});
  std::string text = f.Render();
  text += "0002_b.sql h1:AAAA\n";  // appended by hand, total not updated
  auto parsed = IntegrityFile::Parse(text, "strata.sum");
  ASSERT_TRUE(parsed.has_value());
  auto problems = CompareIntegrity(*parsed, IntegrityFile::Compute({{"0001_a.sql", "one"}, {"0002_b.sql", "x"}}));
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].problem.find("total"), std::string::npos);
}

TEST(IntegrityTest, TwoBranchesChangeTheSameLines) {
  // Both branches add a different migration after the same base: the first line differs and
  // both append after the same last line, which git cannot merge silently.
  auto base = IntegrityFile::Compute({{"0001_a.sql", "one"}});
  auto left = IntegrityFile::Compute({{"0001_a.sql", "one"}, {"0002_left.sql", "l"}});
  auto right = IntegrityFile::Compute({{"0001_a.sql", "one"}, {"0002_right.sql", "r"}});
  EXPECT_NE(left.total(), base.total());
  EXPECT_NE(right.total(), base.total());
  EXPECT_NE(left.total(), right.total());
}

TEST(IntegrityTest, ConflictMarkersAndMalformedLines) {
  auto c = IntegrityFile::Parse("<<<<<<< HEAD\nh1:x\n", "svc/strata.sum");
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().line, 1);
  EXPECT_NE(c.error().message.find("conflict"), std::string::npos);
  auto m = IntegrityFile::Parse("h1:abc\n0001_a.sql\n", "strata.sum");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().line, 2);
}

}  // namespace
}  // namespace strata
