// strata: zero-downtime schema changes for microservice databases.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "cli/context.h"

#ifndef STRATA_VERSION
#define STRATA_VERSION "0.1.0"
#endif

int main(int argc, char** argv) {
  using namespace strata::cli;
  Context ctx;
  CLI::App app{"strata: versioned and online schema migrations for PostgreSQL and SQLite, without downtime"};
  app.set_version_flag("--version", STRATA_VERSION);
  app.require_subcommand(1);
  app.fallthrough(true);
  app.add_option("--project", ctx.g.project_dir, "Project folder holding strata.toml (env STRATA_PROJECT)");
  app.add_option("--env", ctx.g.env, "Environment whose targets to use (env STRATA_ENV; default from strata.toml)");
  app.add_option("--service", ctx.g.services, "Only this service (repeatable)");
  app.add_option("--url", ctx.g.url, "One database, no project file: postgres://…, sqlite:PATH (default DATABASE_URL)");
  app.add_option("--dir", ctx.g.dir, "With --url: the migrations folder (default ./migrations)");
  app.add_flag("--json", ctx.g.json, "Machine-readable output: one JSON document on stdout");
  app.add_flag("-q,--quiet", ctx.g.quiet, "Print only errors");
  app.add_option("--actor", ctx.g.actor, "Who is acting, for history and audit (env STRATA_ACTOR; default CI user or OS user)");
  app.footer(
      "Exit codes: 0 ok, 1 problems found, 2 usage or bad input (nothing applied), 3 database error,\n"
      "4 lock not acquired in time.\n"
      "Quick start:\n"
      "  strata init && strata new create_users && strata apply\n"
      "  DATABASE_URL=postgres://localhost/app strata status\n"
      "Docs: docs/commands/<command>.md");
  AddInit(app, ctx);
  AddNew(app, ctx);
  AddStatus(app, ctx);
  AddApply(app, ctx);
  AddRollback(app, ctx);
  AddValidate(app, ctx);
  AddGraph(app, ctx);
  AddHash(app, ctx);
  AddRepair(app, ctx);
  AddAudit(app, ctx);
  AddApprove(app, ctx);
  AddLint(app, ctx);
  AddPlan(app, ctx);
  AddSandbox(app, ctx);
  AddSchema(app, ctx);
  AddCheck(app, ctx);
  AddRebase(app, ctx);
  AddMerge(app, ctx);
  AddOnline(app, ctx);
  AddDiff(app, ctx);
  AddTest(app, ctx);
  AddRollout(app, ctx);
  AddDrift(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "strata: usage error: " << e.what() << "\n(run `strata --help` or `strata COMMAND --help`)\n";
    return kExitInput;
  }
  // Everything is printed and every database session is closed by now (the commands own their
  // sessions): skip freeing the loaded project and migrations, which is measurable on status.
  std::cout.flush();
  std::cerr.flush();
  std::_Exit(ctx.exit_code);
}
