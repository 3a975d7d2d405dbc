// strata test: every service's migrations on a throwaway database — up, verify, down restores
// the schema, up again, the whole chain down and up — with seeds, synthetic rows, lock and
// duration figures, and query plan changes. Text, --json and JUnit XML.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/scratch.h"
#include "testkit/migration_tester.h"
#include "testkit/replay.h"
#include "testkit/scratch_server.h"
#include "testkit/test_report.h"

namespace fs = std::filesystem;

namespace strata::cli {
namespace {

struct TestFlags {
  int rows = 0;
  std::string junit;
  std::string seeds;
  std::string queries;
  bool no_locks = false;
  bool fail_on_plan_change = false;
  bool progress = false;
};

std::string Beside(const LoadedService& svc, const std::string& name) {
  return (fs::path(svc.config->migrations_dir).parent_path() / name).string();
}

}  // namespace

void AddTest(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<TestFlags>();
  CLI::App* cmd = app.add_subcommand("test", "Prove every migration on a throwaway database: up, verify, down, up again");
  cmd->add_option("--rows", f->rows, "Synthetic rows per empty table after each migration (0: none)")
      ->check(CLI::Range(0, 10000000));
  cmd->add_option("--junit", f->junit, "Also write a JUnit XML report to this file");
  cmd->add_option("--seeds", f->seeds, "Seeds folder (default <migrations>/../seeds; *.sql and TABLE.csv)");
  cmd->add_option("--queries", f->queries, "Queries to EXPLAIN (default <migrations>/../queries.sql)");
  cmd->add_flag("--no-lock-probe", f->no_locks, "Do not run each up once more in a rolled-back transaction to read its locks");
  cmd->add_flag("--fail-on-plan-change", f->fail_on_plan_change, "A plan change of a registered query fails the test");
  cmd->add_flag("--progress", f->progress, "A line per migration on stderr (default on a terminal)");
  cmd->footer(
      "Runs in the project's sandbox when `strata sandbox up` left it running, otherwise in a private cluster\n"
      "started for the run (SQLite services: a temp file). Nothing touches the project's targets.\n"
      "Exit code: 0 all passed, 1 a step failed, 2 bad input (migrations, seeds), 3 sandbox error.\n"
      "Examples:\n"
      "  strata test\n"
      "  strata test --service users --rows 10000 --junit strata-test.xml\n"
      "  strata sandbox up && strata test --json | jq '.services[].failures'\n");
  cmd->callback([&ctx, f] {
    auto services = ctx.Services();
    if (!services) return void(ctx.Fail(services.error()));
    std::error_code ec;
    if (!f->seeds.empty() && !fs::is_directory(f->seeds, ec)) {
      return void(ctx.Fail(Error{ErrorKind::kInput, "--seeds " + f->seeds + ": no such folder"}));
    }
    if (!f->queries.empty() && !fs::is_regular_file(f->queries, ec)) {
      return void(ctx.Fail(Error{ErrorKind::kInput, "--queries " + f->queries + ": no such file"}));
    }
    ScratchServer scratch(ProjectSandboxDir(ctx));
    std::vector<ServiceTestReport> reports;
    nlohmann::json out = {{"services", nlohmann::json::array()}};
    const bool progress = f->progress || (!ctx.g.quiet && ::isatty(2));
    bool failed = false;
    for (const LoadedService* svc : *services) {
      TesterOptions opt;
      opt.rows = f->rows;
      opt.probe_locks = !f->no_locks;
      std::vector<std::string> ids;
      for (const auto& m : svc->graph.ordered()) ids.push_back(m.id);
      const std::string seeds_dir = f->seeds.empty() ? Beside(*svc, "seeds") : f->seeds;
      auto seeds = LoadSeeds(seeds_dir, ids);
      if (!seeds) return void(ctx.Fail(seeds.error(), out));
      opt.seeds = std::move(*seeds);
      const EngineKind kind = ServiceEngine(ctx, *svc);
      std::vector<std::string> urls;
      DatabaseFactory fresh = [&]() -> Result<std::unique_ptr<Engine>> {
        ASSIGN_OR_RETURN(std::string url, kind == EngineKind::kSqlite
                                              ? scratch.NewSqliteDatabase(svc->config->name)
                                              : scratch.NewPostgresDatabase("test_" + svc->config->name));
        urls.push_back(url);
        return OpenUrl(url);
      };
      // The queries are split by an engine of the service's kind: take one database for that.
      auto probe = fresh();
      if (!probe) return void(ctx.Fail(probe.error(), out));
      const std::string queries_file = f->queries.empty() ? Beside(*svc, "queries.sql") : f->queries;
      auto queries = LoadQueries(**probe, queries_file);
      probe->reset();
      if (!queries) return void(ctx.Fail(queries.error(), out));
      opt.queries = std::move(*queries);
      if (progress) {
        const std::string name = svc->config->name;
        opt.progress = [&ctx, name](const std::string& line) { ctx.Note(fmt::format("test {}: {}", name, line)); };
      }
      auto report = TestMigrations(svc->graph, svc->settings, fresh, svc->config->name, ctx.MakeActor("test"), opt);
      for (const auto& url : urls) scratch.Drop(url);
      if (!report) return void(ctx.Fail(report.error(), out));
      if (report->Failures() > 0 || (f->fail_on_plan_change && report->PlanChanges() > 0)) failed = true;
      out["services"].push_back(ToJson(*report));
      if (!ctx.g.json && !ctx.g.quiet) std::cout << ToText(*report);
      reports.push_back(std::move(*report));
    }
    out["passed"] = !failed;
    out["sandbox"] = scratch.reused_sandbox() ? "project sandbox" : "private cluster";
    if (scratch.start_ms() > 0) out["sandbox_start_ms"] = scratch.start_ms();
    if (!f->junit.empty()) {
      std::ofstream xml(f->junit);
      xml << ToJUnit(reports);
      if (!xml) return void(ctx.Fail(Error{ErrorKind::kIo, "cannot write " + f->junit}, out));
    }
    if (ctx.g.json) ctx.PrintJson(out);
    if (failed) ctx.exit_code = kExitFindings;
  });
}

}  // namespace strata::cli
