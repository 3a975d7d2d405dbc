// strata lint benchmark: 1,000 migration files x 20 statements (a realistic mix of DDL, data
// changes and safe/unsafe forms), written to a temp folder, linted in memory and from disk, and
// timed against libpg_query's parser alone on the same text (the physical limit: the linter
// must parse every statement). Prints one line per measurement; results go to
// bench/RESULTS.md under "## lint".
//
// Usage: lint_bench [files=1000] [statements_per_file=20] [runs=7]
//
// This benchmark includes pg_query.h only to time the bare parser as the reference.
#include <pg_query.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lint/linter.h"
#include "sql/pg_parse.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* kStatements[] = {
    "ALTER TABLE t{n} ADD COLUMN c{i} text;",
    "CREATE INDEX idx_{n}_{i} ON t{n} (c{i});",
    "CREATE INDEX CONCURRENTLY idx2_{n}_{i} ON t{n} (lower(email), created_at) WHERE deleted_at IS NULL;",
    "ALTER TABLE t{n} ADD CONSTRAINT fk_{n}_{i} FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;",
    "ALTER TABLE t{n} VALIDATE CONSTRAINT fk_{n}_{i};",
    "UPDATE t{n} SET status = 'active' WHERE id IN (SELECT id FROM t{n} WHERE status IS NULL LIMIT 1000);",
    "CREATE TABLE new_{n}_{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, org_id bigint NOT NULL REFERENCES orgs (id), name text NOT NULL, payload jsonb, created_at timestamptz NOT NULL DEFAULT now());",
    "ALTER TABLE t{n} ADD COLUMN token uuid DEFAULT gen_random_uuid();",
    "ALTER TABLE t{n} ALTER COLUMN c{i} SET NOT NULL;",
    "INSERT INTO audit (table_name, action, at) VALUES ('t{n}', 'migrate', now());",
    "ALTER TABLE t{n} DROP COLUMN legacy_{i};",
    "SET lock_timeout = '2s';",
    "ALTER TABLE t{n} ALTER COLUMN amount TYPE bigint;",
    "COMMENT ON COLUMN t{n}.c{i} IS 'added by migration {n}';",
    "CREATE OR REPLACE VIEW v_{n}_{i} AS SELECT id, name, created_at FROM t{n} WHERE deleted_at IS NULL;",
    "DELETE FROM sessions_{n} WHERE expires_at < now() - interval '30 days';",
    "ALTER TABLE t{n} ADD CONSTRAINT chk_{n}_{i} CHECK (amount >= 0);",
    "DROP INDEX idx_old_{n}_{i};",
    "ALTER TABLE t{n} RENAME COLUMN c{i} TO d{i};",
    "CREATE TRIGGER trg_{n}_{i} BEFORE UPDATE ON t{n} FOR EACH ROW EXECUTE FUNCTION touch_updated_at();",
};

std::string Expand(std::string s, int n, int i) {
  for (auto [key, value] : {std::pair<std::string, std::string>{"{n}", std::to_string(n)},
                            {"{i}", std::to_string(i)}}) {
    for (size_t p; (p = s.find(key)) != std::string::npos;) s.replace(p, key.size(), value);
  }
  return s;
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The fastest run: the machine is shared, so slower runs measure other processes.
double Best(std::vector<double> v) { return *std::min_element(v.begin(), v.end()); }

}  // namespace

int main(int argc, char** argv) {
  int files = argc > 1 ? std::atoi(argv[1]) : 1000;
  int per_file = argc > 2 ? std::atoi(argv[2]) : 20;
  int runs = argc > 3 ? std::atoi(argv[3]) : 7;

  fs::path dir = fs::temp_directory_path() / "strata_lint_bench";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<std::string> texts;
  size_t bytes = 0;
  constexpr int kKinds = sizeof(kStatements) / sizeof(kStatements[0]);
  for (int f = 0; f < files; ++f) {
    std::string text = "-- +strata up\n";
    for (int s = 0; s < per_file; ++s) {
      text += Expand(kStatements[(f * 7 + s) % kKinds], f, s) + "\n";
    }
    text += "-- +strata down\nSELECT 1;\n";
    char name[64];
    std::snprintf(name, sizeof name, "%06d_m.sql", f);
    std::ofstream(dir / name) << text;
    bytes += text.size();
    texts.push_back(std::move(text));
  }

  strata::lint::LintOptions options;
  std::vector<double> parse_t, tree_t, lint_t, disk_t;
  size_t findings = 0;
  int statements = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    for (const std::string& t : texts) {
      PgQueryParseResult res = pg_query_parse(t.c_str());
      if (res.error != nullptr) {
        std::fprintf(stderr, "parse error: %s\n", res.error->message);
        return 1;
      }
      pg_query_free_parse_result(res);
    }
    auto t1a = Clock::now();
    for (const std::string& t : texts) {
      auto tree = strata::pg::ParseScript(t);
      if (!tree) return 1;
    }
    auto t1 = Clock::now();
    findings = 0;
    for (const std::string& t : texts) {
      findings += strata::lint::LintFileText(t, "m.sql", options).size();
    }
    auto t2 = Clock::now();
    strata::lint::LintStats stats;
    auto all = strata::lint::LintPaths({dir.string()}, options, &stats);
    auto t3 = Clock::now();
    if (!all) {
      std::fprintf(stderr, "%s\n", all.error().message.c_str());
      return 1;
    }
    statements = stats.statements;
    parse_t.push_back(Seconds(t0, t1a));
    tree_t.push_back(Seconds(t1a, t1));
    lint_t.push_back(Seconds(t1, t2));
    disk_t.push_back(Seconds(t2, t3));
  }
  double p = Best(parse_t), tr = Best(tree_t), l = Best(lint_t), d = Best(disk_t);
  std::printf("corpus: %d files, %d statements, %.1f MB\n", files, statements, bytes / 1e6);
  std::printf("libpg_query parse alone (pg_query_parse, in memory): %.3f s (best of %d)\n", p, runs);
  std::printf("strata parse tree (ParseScript = parser + tree):  %.3f s  = %.2fx the parser\n", tr,
              tr / p);
  std::printf("strata lint, in memory (LintFileText):               %.3f s  = %.2fx the parser, %zu findings\n",
              l, l / p, findings);
  std::printf("strata lint, from disk (LintPaths, folder walk):     %.3f s  = %.2fx the parser\n", d,
              d / p);
  fs::remove_all(dir);
  return 0;
}
