#include "testkit/test_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ServiceTestReport Sample() {
  ServiceTestReport r;
  r.service = "users";
  r.engine = "postgres";
  r.steps.push_back({"0001_a", "up", "passed", "", {}, 12});
  r.steps.push_back({"0002_b", "down restores schema", "failed", "1 object(s) differ <&>",
                     {{"column", "public.t.c", "added", {}}}, 3});
  r.steps.push_back({"0003_c", "down", "skipped", "irreversible: \"data\"", {}, 0});
  MigrationFacts m;
  m.id = "0001";
  m.label = "0001_a";
  m.up_ms = 12;
  m.locks_measured = true;
  m.locks.push_back({"public.t", "AccessExclusiveLock", 9, 1});
  m.plan_changes.push_back({"q1", "new seq scan", "public.t"});
  r.migrations.push_back(m);
  return r;
}

TEST(TestReport, JUnitCountsEscapesAndMarksFailuresAndSkips) {
  std::string xml = ToJUnit({Sample()});
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"strata test\" tests=\"3\" failures=\"1\">"));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"users\" tests=\"3\" failures=\"1\" skipped=\"1\""));
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"users.0001_a\" name=\"up\" time=\"0.012\"/>"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"1 object(s) differ &lt;&amp;&gt;\">+ column public.t.c\n</failure>"));
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"irreversible: &quot;data&quot;\"/>"));
  EXPECT_THAT(xml, Not(HasSubstr("<&>")));
}

TEST(TestReport, TextAndJson) {
  ServiceTestReport r = Sample();
  std::string text = ToText(r);
  EXPECT_THAT(text, HasSubstr("FAIL 0002_b / down restores schema: 1 object(s) differ <&>"));
  EXPECT_THAT(text, HasSubstr("+ column public.t.c"));
  EXPECT_THAT(text, HasSubstr("AccessExclusiveLock on public.t for 9 ms"));
  EXPECT_THAT(text, HasSubstr("plan: query q1: new seq scan public.t"));
  EXPECT_THAT(text, HasSubstr("FAILED: 1 steps passed, 1 failed, 1 skipped"));
  nlohmann::json j = ToJson(r);
  EXPECT_EQ(j["failures"], 1);
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["plan_changes"], 1);
  EXPECT_EQ(j["steps"][1]["differences"][0]["name"], "public.t.c");
  EXPECT_EQ(j["migrations"][0]["locks"][0]["held_ms"], 9);
}

}  // namespace
}  // namespace strata
