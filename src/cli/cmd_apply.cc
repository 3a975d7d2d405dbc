// strata apply: pending migrations in graph order, each target in turn.
#include <fmt/format.h>
#include <iostream>

#include "cli/commands.h"
#include "cli/target_session.h"
#include "util/text.h"

namespace strata::cli {
namespace {

struct ApplyFlags {
  std::string to;
  bool dry_run = false;
  bool allow_out_of_order = false;
};

// strata.sum must match the files before anything is applied (a missing one is a warning).
Result<void> RequireIntegrity(Context& ctx, const std::vector<ResolvedTarget>& targets) {
  std::set<std::string> seen;
  for (const auto& t : targets) {
    if (!seen.insert(t.service).second) continue;
    ASSIGN_OR_RETURN(const LoadedService* svc, ctx.Service(t.service));
    std::string sum = ctx.SumPath(*svc);
    ASSIGN_OR_RETURN(auto problems, ctx.CheckIntegrity(*svc, false));
    if (!std::filesystem::exists(sum)) {
      ctx.Note(fmt::format("strata: warning: {} has no strata.sum; run `strata hash` and commit it so that parallel "
                           "branches conflict in git", svc->config->migrations_dir));
    }
    if (!problems.empty()) {
      std::string list;
      for (const auto& p : problems) list += fmt::format("\n  {} {}", p.problem, p.path);
      return MakeErrorAt(ErrorKind::kInput, sum, problems.front().line,
                         fmt::format("strata.sum does not match the migration files; nothing was applied. Review the "
                                     "change, then run `strata hash`:{}",
                                     list));
    }
  }
  return {};
}

}  // namespace

void AddApply(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<ApplyFlags>();
  CLI::App* cmd = app.add_subcommand("apply", "Apply pending migrations in graph order");
  cmd->add_option("--to", f->to, "Apply only up to this migration id (and its ancestors)");
  cmd->add_flag("--dry-run", f->dry_run, "Print exactly the SQL that would run, in order; run nothing");
  cmd->add_flag("--allow-out-of-order", f->allow_out_of_order,
                "Apply migrations that sort before already-applied ones (recorded in the audit)");
  cmd->add_option("--lock-wait", ctx.g.lock_wait, "How long to wait for another strata's lock (e.g. 30s)");
  cmd->footer(
      "Each migration runs in its own transaction with its history row, under lock_timeout with retries.\n"
      "Examples:\n"
      "  strata apply                                # every service, default environment\n"
      "  strata --env prod --service users apply --to 20250801120000\n"
      "  strata apply --dry-run > plan.sql\n"
      "  DATABASE_URL=postgres://localhost/app strata --dir db/migrations apply\n");
  cmd->callback([&ctx, f] {
    nlohmann::json out = {{"targets", nlohmann::json::array()}};
    auto targets = ctx.Targets();
    if (!targets) return void(ctx.Fail(targets.error()));
    if (auto r = RequireIntegrity(ctx, *targets); !r) return void(ctx.Fail(r.error()));
    auto wait = ctx.LockWait();
    if (!wait) return void(ctx.Fail(wait.error()));
    std::string command = "apply";
    if (!f->to.empty()) command += " --to " + f->to;
    if (f->allow_out_of_order) command += " --allow-out-of-order";
    ProgressPrinter printer(ctx);
    for (const auto& t : *targets) {
      auto session = OpenTarget(ctx, t, command);
      if (!session) return void(ctx.Fail(session.error(), out));
      ApplyOptions opt;
      if (!f->to.empty()) opt.to = f->to;
      opt.dry_run = f->dry_run;
      opt.allow_out_of_order = f->allow_out_of_order;
      opt.lock_wait = *wait;
      opt.on_event = [&printer](const MigrationEvent& ev) { printer(ev); };
      RunResult r = session->migrator->Apply(opt);
      nlohmann::json tj = {{"service", t.service}, {"target", t.name}, {"applied", r.done}};
      if (f->dry_run) {
        tj["sql"] = r.sql;
        if (!ctx.g.json) std::cout << fmt::format("-- target {} ({})\n", t.name, t.url.Redacted()) << r.sql;
      } else if (r.ok()) {
        ctx.Say(fmt::format("{}: {}", t.name,
                            r.done.empty() ? "up to date" : fmt::format("applied {} migration(s)", r.done.size())));
      }
      out["targets"].push_back(tj);
      if (!r.ok()) return void(ctx.Fail(*r.error, out));
    }
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
