// Output formats: golden files for text, json, sarif and github, plus structural checks.
// Regenerate the golden files with STRATA_UPDATE_GOLDEN=1 after an intended change.
#include "lint/report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lint/linter.h"

namespace strata::lint {
namespace {

namespace fs = std::filesystem;
const fs::path kGolden = fs::path(STRATA_SOURCE_DIR) / "tests/testdata/lint/golden";

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Finding> GoldenFindings() {
  std::string input = Read(kGolden / "input.sql");
  EXPECT_FALSE(input.empty());
  LintOptions o;
  return LintFileText(input, "migrations/0007_orders.sql", o);
}

ReportOptions Opts() {
  ReportOptions r;
  r.files = 1;
  r.statements = 9;
  return r;
}

void CheckGolden(const std::string& name, const std::string& got) {
  fs::path p = kGolden / name;
  if (std::getenv("STRATA_UPDATE_GOLDEN") != nullptr) std::ofstream(p, std::ios::binary) << got;
  ASSERT_TRUE(fs::exists(p)) << p;
  EXPECT_EQ(Read(p), got) << "golden file " << p << " differs";
}

TEST(ReportTest, GoldenText) { CheckGolden("text.txt", FormatText(GoldenFindings(), Opts())); }
TEST(ReportTest, GoldenJson) { CheckGolden("findings.json", FormatJson(GoldenFindings(), Opts())); }
TEST(ReportTest, GoldenSarif) { CheckGolden("findings.sarif", FormatSarif(GoldenFindings(), Opts())); }
TEST(ReportTest, GoldenGithub) { CheckGolden("github.txt", FormatGithub(GoldenFindings(), Opts())); }

TEST(ReportTest, GoldenInputCoversAllSeverities) {
  auto f = GoldenFindings();
  ASSERT_GE(f.size(), 5u);
  std::set<Severity> seen;
  for (auto& x : f) seen.insert(x.severity);
  EXPECT_EQ(seen.size(), 3u);
}

TEST(ReportTest, JsonHasVersionOneAndRequiredFields) {
  auto doc = nlohmann::json::parse(FormatJson(GoldenFindings(), Opts()));
  EXPECT_EQ(doc["version"], 1);
  ASSERT_FALSE(doc["findings"].empty());
  for (const auto& f : doc["findings"]) {
    for (const char* k : {"rule", "severity", "file", "line", "column", "message", "help"}) {
      EXPECT_TRUE(f.contains(k)) << k;
    }
    EXPECT_GE(f["line"].get<int>(), 1);
    EXPECT_GE(f["column"].get<int>(), 1);
  }
  EXPECT_EQ(nlohmann::json::parse(FormatJson({}, {}))["findings"].size(), 0u);
}

TEST(ReportTest, SarifHasRequiredFields) {
  auto findings = GoldenFindings();
  auto doc = nlohmann::json::parse(FormatSarif(findings, Opts()));
  EXPECT_EQ(doc["version"], "2.1.0");
  EXPECT_TRUE(doc["$schema"].get<std::string>().find("sarif") != std::string::npos);
  ASSERT_EQ(doc["runs"].size(), 1u);
  const auto& run = doc["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "strata");
  ASSERT_TRUE(run["tool"]["driver"]["rules"].is_array());
  std::set<std::string> rule_ids;
  for (const auto& r : run["tool"]["driver"]["rules"]) rule_ids.insert(r["id"]);
  ASSERT_EQ(run["results"].size(), findings.size());
  for (const auto& r : run["results"]) {
    EXPECT_TRUE(rule_ids.contains(r["ruleId"].get<std::string>()));
    EXPECT_EQ(run["tool"]["driver"]["rules"][r["ruleIndex"].get<int>()]["id"], r["ruleId"]);
    std::string level = r["level"];
    EXPECT_TRUE(level == "error" || level == "warning" || level == "note") << level;
    EXPECT_FALSE(r["message"]["text"].get<std::string>().empty());
    const auto& loc = r["locations"][0]["physicalLocation"];
    EXPECT_EQ(loc["artifactLocation"]["uri"], "migrations/0007_orders.sql");
    EXPECT_GE(loc["region"]["startLine"].get<int>(), 1);
    EXPECT_GE(loc["region"]["startColumn"].get<int>(), 1);
  }
}

TEST(ReportTest, GithubAnnotationsEscapeAndUseLevels) {
  Finding f;
  f.rule = "ban-drop-column";
  f.severity = Severity::kWarning;
  f.file = "a,b:c.sql";
  f.line = 3;
  f.column = 5;
  f.length = 2;
  f.message = "100% broken\nreally";
  f.help = "fix";
  std::string out = FormatGithub({f}, {});
  EXPECT_EQ(out,
            "::warning file=a%2Cb%3Ac.sql,line=3,col=5,endColumn=7,title=strata ban-drop-column::"
            "100%25 broken%0Areally%0Ahelp: fix\n");
  f.severity = Severity::kInfo;
  EXPECT_TRUE(FormatGithub({f}, {}).starts_with("::notice "));
}

TEST(ReportTest, TextCaretSitsUnderTheColumn) {
  LintOptions o;
  auto f = LintSql("SELECT 1;\nALTER TABLE orders ADD CONSTRAINT k CHECK (total > 0);", "c.sql", 1,
                   false, o);
  std::vector<Finding> only;
  for (auto& x : f) {
    if (x.rule == "check-without-not-valid") only.push_back(x);
  }
  ASSERT_EQ(only.size(), 1u);
  std::string text = FormatText(only, {});
  EXPECT_NE(text.find("c.sql:2:24: error[check-without-not-valid]: "), std::string::npos) << text;
  EXPECT_NE(text.find("\n  |                        ^~~~~~~~~~\n"), std::string::npos) << text;
  EXPECT_NE(text.find("= help: "), std::string::npos);
  EXPECT_TRUE(ParseFormat("sarif").has_value());
  EXPECT_FALSE(ParseFormat("xml").has_value());
}

}  // namespace
}  // namespace strata::lint
