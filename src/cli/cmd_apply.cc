// strata apply: pending migrations in graph order, each target in turn.
#include <fmt/format.h>
#include <iostream>

#include "cli/commands.h"
#include "cli/target_session.h"
#include "plan/planner.h"
#include "plan/policy.h"
#include "util/text.h"

namespace strata::cli {
namespace {

struct ApplyFlags {
  std::string to;
  bool dry_run = false;
  bool allow_out_of_order = false;
  std::vector<std::string> approve_risk;
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

// [policy.<env>] max_risk: plans every target's pending migrations before anything is applied
// and refuses (kInput, nothing applied) any rated above the ceiling that --approve-risk does not
// name. Keeps the sessions it opened for the apply, and the approvals each target will use.
Result<void> CheckRiskPolicy(Context& ctx, const std::vector<ResolvedTarget>& targets, const ApplyFlags& f,
                             const std::string& command, std::vector<std::optional<TargetSession>>& sessions,
                             std::vector<std::vector<plan::PolicyVerdict>>& approvals) {
  ASSIGN_OR_RETURN(const ProjectConfig* project, ctx.Project());
  ASSIGN_OR_RETURN(std::string env, ctx.Env());
  const RiskPolicy* policy = plan::PolicyFor(*project, env);
  if (policy == nullptr) return {};
  ASSIGN_OR_RETURN(lint::LintOptions lint, plan::PlanLintOptions(*project));
  std::set<std::string> approved(f.approve_risk.begin(), f.approve_risk.end());
  std::vector<std::string> refused;
  std::string first_id;
  for (size_t i = 0; i < targets.size(); ++i) {
    ASSIGN_OR_RETURN(TargetSession session, OpenTarget(ctx, targets[i], command));
    plan::PlanOptions opt;
    if (!f.to.empty()) opt.to = f.to;
    opt.lint = lint;
    ASSIGN_OR_RETURN(plan::Plan p, plan::PlanTarget(session.service->graph, *session.migrator, *session.engine,
                                                    targets[i].service, targets[i].name, opt));
    for (const plan::PolicyVerdict& v : plan::CheckPolicy(p, plan::MaxRiskOf(*policy), approved)) {
      if (v.approved) {
        approvals[i].push_back(v);
      } else {
        refused.push_back(plan::RefusalMessage(p, v, *policy));
        if (first_id.empty()) first_id = v.migration_id;
      }
    }
    sessions[i] = std::move(session);
  }
  if (refused.empty()) return {};
  Error e{ErrorKind::kInput, fmt::format("nothing was applied: the policy refuses {} migration(s):\n  {}",
                                         refused.size(), fmt::join(refused, "\n  "))};
  e.migration_id = first_id;
  return std::unexpected(std::move(e));
}

}  // namespace

void AddApply(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<ApplyFlags>();
  CLI::App* cmd = app.add_subcommand("apply", "Apply pending migrations in graph order");
  cmd->add_option("--to", f->to, "Apply only up to this migration id (and its ancestors)");
  cmd->add_flag("--dry-run", f->dry_run, "Print exactly the SQL that would run, in order; run nothing");
  cmd->add_flag("--allow-out-of-order", f->allow_out_of_order,
                "Apply migrations that sort before already-applied ones (recorded in the audit)");
  cmd->add_option("--approve-risk", f->approve_risk,
                  "Approve a migration rated above the environment's [policy] max_risk (repeatable; audited)");
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
    for (const std::string& id : f->approve_risk) command += " --approve-risk " + id;
    std::vector<std::optional<TargetSession>> sessions(targets->size());
    std::vector<std::vector<plan::PolicyVerdict>> approvals(targets->size());
    if (!f->dry_run) {
      if (auto r = CheckRiskPolicy(ctx, *targets, *f, command, sessions, approvals); !r) {
        return void(ctx.Fail(r.error()));
      }
    }
    ProgressPrinter printer(ctx);
    for (size_t i = 0; i < targets->size(); ++i) {
      const ResolvedTarget& t = (*targets)[i];
      Result<TargetSession> session =
          sessions[i] ? Result<TargetSession>(std::move(*sessions[i])) : OpenTarget(ctx, t, command);
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
      for (const plan::PolicyVerdict& v : approvals[i]) {
        if (std::find(r.done.begin(), r.done.end(), v.migration_id) == r.done.end()) continue;
        auto project = ctx.Project();
        auto env = ctx.Env();
        const RiskPolicy* policy = project && env ? plan::PolicyFor(**project, *env) : nullptr;
        if (policy == nullptr) continue;
        HistoryStore history(*session->engine, t.service);
        if (auto a = history.Audit("approve-risk", v.migration_id, ctx.MakeActor(command),
                                   plan::ApprovalDetails(v, *policy));
            !a) {
          return void(ctx.Fail(a.error(), out));
        }
        tj["approved_risk"].push_back(v.migration_id);
        ctx.Note(fmt::format("strata: {}: applied {} ({} risk) with --approve-risk; recorded in the audit", t.name,
                             v.migration_id, plan::RiskName(v.risk)));
      }
      out["targets"].push_back(tj);
      if (!r.ok()) return void(ctx.Fail(*r.error, out));
    }
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
