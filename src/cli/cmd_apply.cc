// strata apply: pending migrations in graph order, each target in turn.
#include <fmt/format.h>
#include <iostream>

#include "cli/commands.h"
#include "cli/target_session.h"
#include "control/control_db.h"
#include "governance/approvals.h"
#include "governance/control_tables.h"
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

// [policy.<env>]: plans every target's pending migrations before anything is applied and
// refuses (kInput, nothing applied) any rated above max_risk that --approve-risk does not name,
// and any whose risk level asks for approvals (src/governance) it lacks. Keeps the sessions it
// opened for the apply, the --approve-risk verdicts and the approvals each target will use.
Result<void> CheckRiskPolicy(Context& ctx, const std::vector<ResolvedTarget>& targets, const ApplyFlags& f,
                             const std::string& command, std::vector<std::optional<TargetSession>>& sessions,
                             std::vector<std::vector<plan::PolicyVerdict>>& approvals,
                             std::vector<nlohmann::json>& approved_by, nlohmann::json& missing_json) {
  ASSIGN_OR_RETURN(const ProjectConfig* project, ctx.Project());
  ASSIGN_OR_RETURN(std::string env, ctx.Env());
  const RiskPolicy* policy = plan::PolicyFor(*project, env);
  if (policy == nullptr) return {};
  ASSIGN_OR_RETURN(lint::LintOptions lint, plan::PlanLintOptions(*project));
  std::set<std::string> approved(f.approve_risk.begin(), f.approve_risk.end());
  std::vector<std::string> refused;
  std::vector<std::string> missing;
  std::string first_id;
  // Approvals live in the control database when there is one, else in each target.
  std::unique_ptr<ControlDb> control;
  if (!policy->approvals.empty() && !project->control.url_template.empty()) {
    ASSIGN_OR_RETURN(control, OpenControlDb(*project));
    TRY_VOID(governance::EnsureGovernanceTables(*control));
  }
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
    if (!policy->approvals.empty()) {
      governance::ApprovalStore store = control ? governance::ApprovalStore::ForControl(control->engine())
                                                : governance::ApprovalStore::ForTarget(*session.engine);
      for (const plan::PlannedMigration& pm : p.migrations) {
        const Migration* m = session.service->graph.Find(pm.id);
        if (m == nullptr) continue;
        ASSIGN_OR_RETURN(auto statuses,
                         governance::CheckApprovalsIn(store, *project, env, targets[i].service, *m, pm.risk));
        nlohmann::json people = nlohmann::json::array();
        for (const governance::ApprovalStatus& st : statuses) {
          for (const governance::Approval& a : st.counted) people.push_back({{"actor", a.actor}, {"role", a.role}});
          if (st.satisfied()) continue;
          missing.push_back(fmt::format("{}: {}", targets[i].name, st.Describe()));
          missing_json.push_back({{"target", targets[i].name},
                                  {"service", st.service},
                                  {"migration", st.migration_id},
                                  {"risk", plan::RiskName(st.risk)},
                                  {"required", st.required},
                                  {"roles", st.roles},
                                  {"approved", st.counted.size()},
                                  {"voided", st.voided.size()},
                                  {"missing", st.missing()}});
          if (first_id.empty()) first_id = st.migration_id;
        }
        if (!statuses.empty()) approved_by[i][pm.id] = people;
      }
    }
    sessions[i] = std::move(session);
  }
  if (refused.empty() && missing.empty()) return {};
  std::string msg = "nothing was applied:";
  if (!refused.empty()) {
    msg += fmt::format(" the policy refuses {} migration(s):\n  {}", refused.size(), fmt::join(refused, "\n  "));
  }
  if (!missing.empty()) {
    msg += fmt::format("{} {} migration(s) lack the approvals [policy.{}] asks for:\n  {}", refused.empty() ? "" : "\n",
                       missing.size(), env, fmt::join(missing, "\n  "));
  }
  Error e{ErrorKind::kInput, msg};
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
    std::vector<nlohmann::json> approved_by(targets->size(), nlohmann::json::object());
    if (!f->dry_run) {
      nlohmann::json missing = nlohmann::json::array();
      if (auto r = CheckRiskPolicy(ctx, *targets, *f, command, sessions, approvals, approved_by, missing); !r) {
        nlohmann::json partial = nlohmann::json::object();
        if (!missing.empty()) partial["approvals_missing"] = missing;
        return void(ctx.Fail(r.error(), partial));
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
      if (!approved_by[i].empty()) tj["approvals"] = approved_by[i];
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
      // Who approved what went live: one audit record per applied migration the policy asked
      // approvals for, beside its apply record.
      for (const auto& [id, people] : approved_by[i].items()) {
        if (std::find(r.done.begin(), r.done.end(), id) == r.done.end()) continue;
        auto env = ctx.Env();
        nlohmann::json details = {{"env", env ? *env : ""}, {"approvals", people}};
        HistoryStore history(*session->engine, t.service);
        if (auto a = history.Audit("approvals-used", id, ctx.MakeActor(command), details.dump()); !a) {
          return void(ctx.Fail(a.error(), out));
        }
      }
      out["targets"].push_back(tj);
      if (!r.ok()) return void(ctx.Fail(*r.error, out));
    }
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
