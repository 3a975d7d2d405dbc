#include "util/text.h"

#include <cstdlib>
#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(TextTest, ParseDuration) {
  EXPECT_EQ(ParseDuration("500ms")->count(), 500);
  EXPECT_EQ(ParseDuration("2s")->count(), 2000);
  EXPECT_EQ(ParseDuration("1.5s")->count(), 1500);
  EXPECT_EQ(ParseDuration("3m")->count(), 180000);
  EXPECT_EQ(ParseDuration("0")->count(), 0);
  EXPECT_FALSE(ParseDuration("fast").has_value());
  EXPECT_FALSE(ParseDuration("10").has_value());
  EXPECT_FALSE(ParseDuration("5 parsecs").has_value());
}

TEST(TextTest, FormatDuration) {
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(2000)), "2s");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(250)), "250ms");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(1500)), "1.5s");
}

TEST(TextTest, ExpandEnv) {
  ::setenv("STRATA_TEST_VAR", "value", 1);
  ::unsetenv("STRATA_TEST_MISSING");
  EXPECT_EQ(*ExpandEnv("a ${STRATA_TEST_VAR} b $$"), "a value b $");
  auto missing = ExpandEnv("x ${STRATA_TEST_MISSING}");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("STRATA_TEST_MISSING"), std::string::npos);
}

TEST(TextTest, SplitLinesAndWords) {
  auto lines = SplitLines("a\r\nb\n\nc");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "a");
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "c");
  auto words = SplitWords("  x  y\tz ");
  ASSERT_EQ(words.size(), 3u);
  EXPECT_EQ(words[2], "z");
}

}  // namespace
}  // namespace strata
