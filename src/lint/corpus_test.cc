// The SQL corpus in tests/testdata/lint/corpus: each case lists the rule ids it must produce.
//
//   -- case: <name>
//   -- expect: rule-a, rule-b        (or "none")
//   -- options: in-transaction, pg=11, timeouts-unset   (optional)
//   <SQL>
//
// Cases run with the runner's lock_timeout/statement_timeout assumed set unless
// "timeouts-unset", as plain SQL (no transaction) unless "in-transaction".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "lint/linter.h"

namespace strata::lint {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string file;
  int line = 0;
  std::string name;
  std::set<std::string> expect;
  std::string options;
  std::string sql;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t i = s.find_first_not_of(' ');
  return i == std::string::npos ? "" : s.substr(i);
}

std::vector<Case> LoadCorpus() {
  std::vector<Case> cases;
  fs::path dir = fs::path(STRATA_SOURCE_DIR) / "tests/testdata/lint/corpus";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".sql") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    std::ifstream in(p);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.starts_with("-- case:")) {
        cases.push_back(Case{p.filename().string(), n + 1, Trim(line.substr(8)), {}, "", ""});
        continue;
      }
      if (cases.empty() || cases.back().file != p.filename().string()) continue;
      Case& c = cases.back();
      if (c.sql.empty() && line.starts_with("-- expect:")) {
        std::stringstream ids(line.substr(10));
        std::string id;
        while (std::getline(ids, id, ',')) {
          id = Trim(id);
          if (!id.empty() && id != "none") c.expect.insert(id);
        }
        c.line = n + 1;
      } else if (c.sql.empty() && line.starts_with("-- options:")) {
        c.options = line.substr(11);
        c.line = n + 1;
      } else {
        c.sql += line + "\n";
      }
    }
  }
  return cases;
}

TEST(LintCorpusTest, EveryCaseProducesExactlyItsExpectedRules) {
  std::vector<Case> cases = LoadCorpus();
  EXPECT_GE(cases.size(), 200u);
  int safe = 0, unsafe = 0;
  std::set<std::string> covered;
  for (const Case& c : cases) {
    LintOptions o;
    o.runner_sets_lock_timeout = o.runner_sets_statement_timeout =
        c.options.find("timeouts-unset") == std::string::npos;
    if (auto at = c.options.find("pg="); at != std::string::npos) {
      o.pg_major = std::stoi(c.options.substr(at + 3));
    }
    bool txn = c.options.find("in-transaction") != std::string::npos;
    std::vector<Finding> f = LintSql(c.sql, c.file, c.line, txn, o);
    std::set<std::string> got;
    for (const Finding& x : f) got.insert(x.rule);
    EXPECT_EQ(got, c.expect) << c.file << ":" << c.line << " case " << c.name;
    (c.expect.empty() ? safe : unsafe)++;
    covered.insert(c.expect.begin(), c.expect.end());
  }
  EXPECT_GE(safe, 50);
  EXPECT_GE(unsafe, 100);
  EXPECT_GE(covered.size(), 30u);
}

}  // namespace
}  // namespace strata::lint
