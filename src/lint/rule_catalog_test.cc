// The rule catalogue: every rule has a source file, tests, a docs page matching its compiled
// text, and examples that behave as documented.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "lint/linter.h"
#include "lint/report.h"
#include "lint/rule_registry.h"

namespace strata::lint {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot = STRATA_SOURCE_DIR;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::set<std::string> RulesHit(std::string_view sql) {
  LintOptions o;
  o.assume_in_transaction = true;  // examples are strata migrations
  std::set<std::string> out;
  for (const Finding& f : LintFileText(sql, "example.sql", o)) out.insert(f.rule);
  return out;
}

TEST(RuleCatalogTest, AtLeastThirtyRulesWithUniqueKebabCaseIds) {
  EXPECT_GE(AllRules().size(), 30u);
  std::set<std::string_view> seen;
  std::regex kebab("^[a-z]+(-[a-z0-9]+)*$");
  for (const RuleInfo* r : AllRuleInfos()) {
    EXPECT_TRUE(seen.insert(r->id).second) << r->id;
    EXPECT_TRUE(std::regex_match(std::string(r->id), kebab)) << r->id;
    EXPECT_FALSE(r->summary.empty()) << r->id;
    EXPECT_FALSE(r->explain.empty()) << r->id;
    EXPECT_EQ(FindRuleInfo(r->id), r);
  }
}

TEST(RuleCatalogTest, EachRuleHasItsOwnSourceAndTestFile) {
  for (const auto& rule : AllRules()) {
    std::string base(rule->info().id);
    std::replace(base.begin(), base.end(), '-', '_');
    EXPECT_TRUE(fs::exists(kRoot / "src/lint/rules" / (base + ".cc"))) << base;
    EXPECT_TRUE(fs::exists(kRoot / "src/lint/rules" / (base + "_test.cc"))) << base;
  }
}

TEST(RuleCatalogTest, DocsPagesMatchCompiledText) {
  bool update = std::getenv("STRATA_UPDATE_DOCS") != nullptr;
  for (const RuleInfo* r : AllRuleInfos()) {
    fs::path page = kRoot / "docs/rules" / (std::string(r->id) + ".md");
    std::string want = RuleDocsPage(*r);
    if (update) {
      fs::create_directories(page.parent_path());
      std::ofstream(page) << want;
    }
    ASSERT_TRUE(fs::exists(page)) << page << " (run with STRATA_UPDATE_DOCS=1)";
    EXPECT_EQ(Read(page), want) << page << " differs from the compiled text";
    EXPECT_EQ(ExplainRule(r->id).value_or(""), want);
  }
  EXPECT_FALSE(ExplainRule("no-such-rule").has_value());
}

TEST(RuleCatalogTest, BadExampleIsReportedAndGoodExampleIsNot) {
  for (const RuleInfo* r : AllRuleInfos()) {
    std::string id(r->id);
    EXPECT_TRUE(RulesHit(r->bad_example).contains(id)) << id << " misses its bad example";
    EXPECT_FALSE(RulesHit(r->good_example).contains(id)) << id << " reports its good example";
  }
}

TEST(RuleCatalogTest, ListRulesJsonHasEveryRuleWithEquivalents) {
  auto list = nlohmann::json::parse(ListRulesJson());
  ASSERT_TRUE(list.is_array());
  EXPECT_EQ(list.size(), AllRuleInfos().size());
  bool any_squawk = false;
  for (const auto& r : list) {
    EXPECT_TRUE(r.contains("id") && r.contains("severity") && r.contains("summary"));
    EXPECT_TRUE(r["squawk"].is_array());
    EXPECT_TRUE(r["strong_migrations"].is_array());
    any_squawk = any_squawk || !r["squawk"].empty();
  }
  EXPECT_TRUE(any_squawk);
  EXPECT_NE(ListRulesText().find("require-concurrent-index"), std::string::npos);
}

}  // namespace
}  // namespace strata::lint
