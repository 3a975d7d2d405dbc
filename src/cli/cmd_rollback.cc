// strata rollback: run downs, newest first.
#include <fmt/format.h>
#include <iostream>

#include "cli/commands.h"
#include "cli/target_session.h"

namespace strata::cli {
namespace {

struct RollbackFlags {
  std::string to;
  int steps = 0;
  bool steps_given = false;
  bool dry_run = false;
};

}  // namespace

void AddRollback(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<RollbackFlags>();
  CLI::App* cmd = app.add_subcommand("rollback", "Run down migrations, newest first");
  auto* to = cmd->add_option("--to", f->to, "Roll back every applied migration that is not this one or one of its ancestors");
  CLI::Option* steps = cmd->add_option("--steps", f->steps, "How many migrations to roll back, newest first in graph order (default 1)")->excludes(to);
  cmd->add_flag("--dry-run", f->dry_run, "Print exactly the SQL that would run; run nothing");
  cmd->add_option("--lock-wait", ctx.g.lock_wait, "How long to wait for another strata's lock (e.g. 30s)");
  cmd->footer(
      "An irreversible migration in the range stops the rollback before anything runs.\n"
      "Examples:\n"
      "  strata rollback                     # the newest migration\n"
      "  strata rollback --steps 3 --dry-run\n"
      "  strata --service users rollback --to 20250720090000\n");
  cmd->callback([&ctx, f, steps] {
    f->steps_given = steps->count() > 0;
    nlohmann::json out = {{"targets", nlohmann::json::array()}};
    auto targets = ctx.Targets();
    if (!targets) return void(ctx.Fail(targets.error()));
    auto wait = ctx.LockWait();
    if (!wait) return void(ctx.Fail(wait.error()));
    std::string command = "rollback";
    if (!f->to.empty()) command += " --to " + f->to;
    if (f->steps > 0) command += fmt::format(" --steps {}", f->steps);
    ProgressPrinter printer(ctx);
    for (const auto& t : *targets) {
      auto session = OpenTarget(ctx, t, command);
      if (!session) return void(ctx.Fail(session.error(), out));
      RollbackOptions opt;
      if (!f->to.empty()) opt.to = f->to;
      opt.steps = f->steps_given ? f->steps : 1;
      if (opt.steps < 1) return void(ctx.Fail(Error{ErrorKind::kUsage, "--steps must be at least 1"}));
      opt.dry_run = f->dry_run;
      opt.lock_wait = *wait;
      opt.on_event = [&printer](const MigrationEvent& ev) { printer(ev); };
      RunResult r = session->migrator->Rollback(opt);
      nlohmann::json tj = {{"service", t.service}, {"target", t.name}, {"rolled_back", r.done}};
      if (f->dry_run) {
        tj["sql"] = r.sql;
        if (!ctx.g.json) std::cout << fmt::format("-- target {} ({})\n", t.name, t.url.Redacted()) << r.sql;
      } else if (r.ok()) {
        ctx.Say(fmt::format("{}: {}", t.name,
                            r.done.empty() ? "nothing to roll back" : fmt::format("rolled back {} migration(s)", r.done.size())));
      }
      out["targets"].push_back(tj);
      if (!r.ok()) return void(ctx.Fail(*r.error, out));
    }
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
