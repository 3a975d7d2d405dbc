#include "lint/lint_command.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace strata::lint {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  auto p = std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "_" + name);
  std::ofstream(p) << text;
  return p.string();
}

TEST(LintCommandTest, ExitCodeFollowsFailOn) {
  LintCommand c;
  c.paths = {WriteTemp("a.sql", "ALTER TABLE users DROP COLUMN x;\n")};
  c.options.runner_sets_lock_timeout = true;
  auto r = RunLintCommand(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 1);  // ban-drop-column is a warning, fail_on defaults to warning
  c.fail_on = Severity::kError;
  EXPECT_EQ(RunLintCommand(c)->exit_code, 0);
  c.format = Format::kJson;
  auto doc = nlohmann::json::parse(RunLintCommand(c)->output);
  EXPECT_EQ(doc["findings"][0]["rule"], "ban-drop-column");
  EXPECT_EQ(doc["summary"]["statements"], 1);
}

TEST(LintCommandTest, ListExplainAndUsageErrors) {
  LintCommand c;
  c.list_rules = true;
  c.format = Format::kJson;
  EXPECT_TRUE(nlohmann::json::parse(RunLintCommand(c)->output).is_array());
  LintCommand e;
  e.explain = "require-concurrent-index";
  EXPECT_TRUE(RunLintCommand(e)->output.starts_with("# require-concurrent-index"));
  e.explain = "nope";
  EXPECT_EQ(RunLintCommand(e).error().kind, ErrorKind::kUsage);
  LintCommand none;
  EXPECT_EQ(RunLintCommand(none).error().kind, ErrorKind::kUsage);
  LintCommand missing;
  missing.paths = {"/nonexistent/x.sql"};
  EXPECT_EQ(RunLintCommand(missing).error().kind, ErrorKind::kIo);
}

}  // namespace
}  // namespace strata::lint
