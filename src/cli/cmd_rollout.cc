// strata rollout plan | run | status | pause | resume | cancel: one change across many
// services and databases, in stages (src/rollout), with its state in the control database
// (src/control) and approvals and audit from src/governance.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "cli/commands.h"
#include "control/control_db.h"
#include "governance/approvals.h"
#include "governance/control_tables.h"
#include "migrate/migrator.h"
#include "plan/planner.h"
#include "plan/policy.h"
#include "rollout/rollout_plan.h"
#include "rollout/rollout_runner.h"
#include "rollout/rollout_store.h"
#include "util/text.h"

namespace strata::cli {
namespace {

using nlohmann::json;
using rollout::RolloutPlan;

struct RolloutFlags {
  int parallelism = 0;
  bool progress = false;
  bool dry_run = false;
  long long id = 0;
  int limit = 10;
  bool per_target = false;
};

// Everything a rollout subcommand needs: the plan of the environment and the control database.
struct Prepared {
  const ProjectConfig* project = nullptr;
  std::string env;
  std::unique_ptr<ControlDb> db;
  std::unique_ptr<rollout::RolloutStore> store;
  RolloutPlan plan;
  std::map<std::string, ResolvedTarget> targets;
  std::map<std::string, rollout::ServiceRuntime> services;
  std::map<std::string, const LoadedService*> loaded;
};

std::string LockKey(const std::string& env) { return "rollout/" + env; }

Result<std::unique_ptr<ControlDb>> OpenControl(Context& ctx, const ProjectConfig*& project) {
  ASSIGN_OR_RETURN(project, ctx.Project());
  if (project->file.empty()) {
    return MakeError(ErrorKind::kUsage, "strata rollout needs a project (strata.toml with [control] and services)");
  }
  return OpenControlDb(*project);
}

Result<Prepared> Prepare(Context& ctx, int parallelism, bool need_plan = true) {
  Prepared p;
  ASSIGN_OR_RETURN(p.db, OpenControl(ctx, p.project));
  ASSIGN_OR_RETURN(p.env, ctx.Env());
  p.store = std::make_unique<rollout::RolloutStore>(*p.db);
  TRY_VOID(p.store->EnsureSchema());
  if (!need_plan) return p;
  ASSIGN_OR_RETURN(std::vector<ResolvedTarget> targets, ctx.Targets());
  ASSIGN_OR_RETURN(std::vector<const LoadedService*> selected, ctx.Services());
  rollout::PlanInput in;
  in.project = p.project;
  in.env = p.env;
  in.parallelism = parallelism;
  std::set<std::string> with_targets;
  for (const auto& t : targets) with_targets.insert(t.service);
  for (const LoadedService* s : selected) {
    if (!with_targets.count(s->config->name)) continue;
    in.services.push_back({s->config, &s->graph});
    p.services[s->config->name] = rollout::ServiceRuntime{&s->graph, s->settings};
    p.loaded[s->config->name] = s;
  }
  for (const auto& s : p.project->services) {
    ASSIGN_OR_RETURN(const LoadedService* ls, ctx.Service(s.name));
    in.all_services.push_back({ls->config, &ls->graph});
  }
  for (const auto& t : targets) p.targets[t.name] = t;
  in.targets = std::move(targets);
  ASSIGN_OR_RETURN(in.succeeded_in_env, p.store->SucceededIn(p.env));
  std::string prev = p.project->PromoteAfter(p.env);
  if (!prev.empty()) {
    ASSIGN_OR_RETURN(in.previous_checksums, p.store->SucceededChecksums(prev));
    for (const auto& [key, sum] : in.previous_checksums) in.succeeded_in_previous.insert(key);
  }
  ASSIGN_OR_RETURN(p.plan, rollout::BuildRolloutPlan(in));
  return p;
}

// Risk of each new migration, rated against the catalog of the service's first target, and
// the approvals its risk still needs.
struct MigrationReview {
  std::string risk = "unknown";
  std::vector<std::string> reasons;
  std::vector<std::string> approvals_missing;
  bool approvals_checked = false;
};

std::map<std::string, MigrationReview> Review(Context& ctx, const Prepared& p, bool check_approvals) {
  std::map<std::string, MigrationReview> out;
  auto lint = plan::PlanLintOptions(*p.project);
  for (const auto& [service, runtime] : p.services) {
    std::vector<const Migration*> todo;
    for (const auto* m : p.plan.MigrationsOf(service)) {
      if (m->new_in_env) todo.push_back(runtime.graph->Find(m->id));
    }
    if (todo.empty()) continue;
    const rollout::PlanTarget* first = nullptr;
    for (const auto& t : p.plan.targets) {
      if (t.service == service) {
        first = &t;
        break;
      }
    }
    std::optional<plan::Plan> planned;
    std::string why_unknown;
    if (first && lint) {
      auto engine = Connect(p.targets.at(first->name).url, "strata rollout plan");
      if (engine) {
        plan::PlanOptions opt;
        opt.lint = *lint;
        auto pl = plan::BuildPlan(todo, **engine, opt);
        if (pl) planned = std::move(*pl);
        else why_unknown = pl.error().message;
      } else {
        why_unknown = engine.error().message;
      }
    }
    for (const Migration* m : todo) {
      MigrationReview r;
      plan::Risk risk = plan::Risk::kHigh;  // unknown risk asks for the strictest approvals
      if (planned) {
        for (const auto& pm : planned->migrations) {
          if (pm.id != m->id) continue;
          r.risk = std::string(plan::RiskName(pm.risk));
          r.reasons = pm.reasons;
          risk = pm.risk;
        }
      } else if (!why_unknown.empty()) {
        r.reasons.push_back(RedactSecrets(why_unknown));
      }
      if (check_approvals) {
        auto st = governance::CheckApprovals(*p.project, p.env, service, *m, risk);
        r.approvals_checked = true;
        if (!st) {
          r.approvals_missing.push_back(RedactSecrets(st.error().message));
        } else {
          for (const auto& s : *st) {
            if (!s.satisfied()) r.approvals_missing.push_back(s.Describe());
          }
        }
      }
      out[service + "/" + m->id] = std::move(r);
    }
  }
  return out;
}

json PlanJson(const RolloutPlan& plan, const std::map<std::string, MigrationReview>& reviews) {
  json ms = json::array();
  for (const auto& m : plan.migrations) {
    json j = {{"service", m.service}, {"id", m.id}, {"name", m.name}, {"wave", plan.service_wave.at(m.service)},
              {"new", m.new_in_env}, {"requires", m.requires_migrations}};
    auto it = reviews.find(m.Key());
    if (it != reviews.end()) {
      j["risk"] = it->second.risk;
      j["reasons"] = it->second.reasons;
      j["approvals_missing"] = it->second.approvals_missing;
    }
    ms.push_back(j);
  }
  json stages = json::array();
  for (const auto& s : plan.stages) {
    json names = json::array();
    for (int ti : s.targets) names.push_back(plan.targets[ti].name);
    stages.push_back({{"wave", s.wave}, {"name", s.name}, {"targets", names}});
  }
  json gates = json::array();
  for (const auto& g : plan.gates) {
    std::string kind = !g.sql.empty() ? "sql" : !g.command.empty() ? "command" : "http";
    gates.push_back({{"name", g.name}, {"kind", kind}, {"timeout_ms", g.timeout.count()}});
  }
  json refusals = json::array();
  for (const auto& r : plan.refusals) {
    refusals.push_back({{"kind", r.kind}, {"migration", r.migration}, {"message", r.message}, {"file", r.file},
                        {"line", r.line}});
  }
  // Missing approvals are refusals too (`run` refuses them): list them with the others.
  for (const auto& [key, r] : reviews) {
    for (const auto& a : r.approvals_missing) {
      refusals.push_back({{"kind", "approval"}, {"migration", key}, {"message", a}, {"file", ""}, {"line", 0}});
    }
  }
  return {{"env", plan.env},
          {"promote_after", plan.previous_env},
          {"plan_hash", plan.hash},
          {"waves", plan.waves},
          {"parallelism", plan.parallelism},
          {"on_failure", std::string(rollout::OnFailureName(plan.on_failure))},
          {"gates", gates},
          {"migrations", ms},
          {"stages", stages},
          {"refusals", refusals}};
}

std::string PlanText(const RolloutPlan& plan, const std::map<std::string, MigrationReview>& reviews,
                     bool approvals_known) {
  std::string out = fmt::format("rollout plan for {}{}  (plan {})\n", plan.env,
                                plan.previous_env.empty() ? "" : " (promoted after " + plan.previous_env + ")",
                                plan.hash.substr(0, 12));
  std::vector<std::string> gate_names;
  for (const auto& g : plan.gates) {
    gate_names.push_back(g.name + " (" + (!g.sql.empty() ? "sql" : !g.command.empty() ? "command" : "http") + ")");
  }
  out += fmt::format("  parallelism {}, on_failure {}, gates after each stage: {}\n", plan.parallelism,
                     rollout::OnFailureName(plan.on_failure), gate_names.empty() ? "none" : Join(gate_names, ", "));
  out += "migrations:\n";
  int shown = 0;
  for (const auto& m : plan.migrations) {
    if (!m.new_in_env) continue;
    ++shown;
    std::string extra;
    if (!m.requires_migrations.empty()) extra += "  requires " + Join(m.requires_migrations, ", ");
    auto it = reviews.find(m.Key());
    std::string risk = it == reviews.end() ? "unknown" : it->second.risk;
    std::string approvals = approvals_known ? "n/a" : "none required";
    if (it != reviews.end() && it->second.approvals_checked) {
      approvals = it->second.approvals_missing.empty() ? "ok" : fmt::format("{} missing", it->second.approvals_missing.size());
    }
    out += fmt::format("  wave {}  {}/{}_{}  risk {}  approvals: {}{}\n", plan.service_wave.at(m.service), m.service,
                       m.id, m.name, risk, approvals, extra);
    if (it != reviews.end()) {
      for (const auto& a : it->second.approvals_missing) out += "      needs: " + a + "\n";
      if (!it->second.reasons.empty() && it->second.risk != "low") out += "      why: " + it->second.reasons.front() + "\n";
    }
  }
  if (shown == 0) out += "  (none: every migration already succeeded in " + plan.env + ")\n";
  out += "stages:\n";
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const auto& s = plan.stages[i];
    std::vector<std::string> names;
    for (int ti : s.targets) names.push_back(plan.targets[ti].name);
    std::string list = names.size() > 6 ? Join(std::vector<std::string>(names.begin(), names.begin() + 5), ", ") +
                                              fmt::format(", … ({} more)", names.size() - 5)
                                        : Join(names, ", ");
    out += fmt::format("  {}. wave {} {} ({} target{}): {}\n", i + 1, s.wave, s.name, names.size(),
                       names.size() == 1 ? "" : "s", list);
  }
  if (!plan.refusals.empty()) {
    out += "refused:\n";
    for (const auto& r : plan.refusals) out += "  " + r.kind + ": " + r.message + "\n";
  }
  return out;
}

bool HasNew(const RolloutPlan& plan) {
  for (const auto& m : plan.migrations) {
    if (m.new_in_env) return true;
  }
  return false;
}

bool HasApprovalRules(const ProjectConfig& project, const std::string& env) {
  auto it = project.policies.find(env);
  return it != project.policies.end() && !it->second.approvals.empty();
}

json RecordJson(const rollout::RolloutRecord& r) {
  return {{"id", r.id}, {"env", r.env}, {"state", r.state}, {"plan_hash", r.plan_hash},
          {"pause_requested", r.pause_requested}, {"stages_passed", r.stages_passed}, {"stage", r.stage},
          {"message", r.message}, {"created_by", r.created_by}, {"created_at", r.created_at},
          {"updated_at", r.updated_at}};
}

void Audit(ControlDb& db, Context& ctx, const std::string& action, const json& details) {
  auto r = governance::AuditControl(db, action, "", "", ctx.MakeActor("rollout"), details.dump());
  if (!r) ctx.Note("strata: warning: could not audit " + action + ": " + RedactSecrets(r.error().message));
}

// Drives rollout `id` (created or resumed) to its end, a pause or a failure. Holds the lock.
void Drive(Context& ctx, Prepared& p, long long id, bool resumed, const RolloutFlags& f, const std::string& verb) {
  bool show = !ctx.g.quiet && (f.progress || ::isatty(2) == 1);
  rollout::RunnerOptions opt;
  opt.parallelism = p.plan.parallelism;
  opt.actor = ctx.MakeActor(fmt::format("rollout {} --env {} (rollout {})", verb, p.env, id));
  auto wait = ctx.LockWait();
  if (!wait) return void(ctx.Fail(wait.error()));
  opt.lock_wait = *wait;
  opt.project_root = p.project->root;
  auto last = std::chrono::steady_clock::now() - std::chrono::seconds(10);
  opt.on_progress = [&](const rollout::Progress& pr) {
    if (!show) return;
    auto now = std::chrono::steady_clock::now();
    std::string where = fmt::format("rollout {} [wave {}/{}, stage {}/{} {}]", pr.rollout_id, pr.wave, pr.waves,
                                    pr.stage_index + 1, pr.stages, pr.stage);
    switch (pr.kind) {
      case rollout::Progress::kStageStart:
        std::cerr << fmt::format("{} starting: {} target(s){}\n", where, pr.stage_total,
                                 pr.stage_done ? fmt::format(", {} already done", pr.stage_done) : "");
        break;
      case rollout::Progress::kTargets:
        if (pr.stage_done < pr.stage_total && now - last < std::chrono::milliseconds(500)) return;
        last = now;
        std::cerr << fmt::format("{} {}/{} done, {} failed  (rollout: {}/{} targets)\n", where, pr.stage_done,
                                 pr.stage_total, pr.failed, pr.done_total, pr.targets_total);
        break;
      default:
        std::cerr << fmt::format("{} {}\n", where, pr.message);
    }
  };
  opt.audit = [&](const std::string& action, const std::string& details) {
    auto r = governance::AuditControl(*p.db, action, "", "", opt.actor, details);
    if (!r) ctx.Note("strata: warning: could not audit " + action + ": " + RedactSecrets(r.error().message));
  };
  Audit(*p.db, ctx, resumed ? "rollout-resume" : "rollout-run",
        {{"rollout", id}, {"env", p.env}, {"plan_hash", p.plan.hash}, {"targets", p.plan.targets.size()}});
  auto outcome = rollout::RunRollout(*p.store, id, p.plan, p.targets, p.services, opt);
  if (!outcome) return void(ctx.Fail(outcome.error(), {{"rollout", {{"id", id}}}}));
  const auto& o = *outcome;
  Audit(*p.db, ctx, "rollout-" + o.state,
        {{"rollout", id}, {"env", p.env}, {"done", o.done}, {"failed", o.failed}, {"rolled_back", o.rolled_back},
         {"message", o.message}});
  json gates = json::array();
  for (const auto& g : o.gates) {
    gates.push_back({{"stage", g.stage}, {"gate", g.gate}, {"passed", g.passed}, {"detail", g.detail},
                     {"duration_ms", g.duration_ms}});
  }
  json doc = {{"rollout", {{"id", id}, {"env", p.env}, {"state", o.state}, {"plan_hash", p.plan.hash}, {"resumed", resumed}}},
              {"targets_total", o.targets_total},
              {"done", o.done},
              {"failed", o.failed},
              {"rolled_back", o.rolled_back},
              {"applied_migrations", o.applied_migrations},
              {"gates", gates},
              {"failures", o.failures},
              {"message", o.message}};
  if (o.target_failed) ctx.exit_code = kExitDatabase;
  else if (o.gate_failed) ctx.exit_code = kExitFindings;
  if (ctx.g.json) return ctx.PrintJson(doc);
  ctx.Say(fmt::format("rollout {} {}: {}/{} target(s) done, {} failed, {} rolled back, {} migration(s) applied{}", id,
                      o.state, o.done, o.targets_total, o.failed, o.rolled_back, o.applied_migrations,
                      o.message.empty() ? "" : "\n  " + o.message));
  for (const auto& fl : o.failures) ctx.Say("  failed: " + fl);
}

// Takes the orchestrator lock of the environment, or fails with exit 4 naming its holder.
bool Lock(Context& ctx, Prepared& p, const std::string& command) {
  auto got = p.db->TryAdvisoryLock(LockKey(p.env), command, ctx.MakeActor(command).user);
  if (!got) return ctx.Fail(got.error()), false;
  if (*got) return true;
  auto holder = p.db->LockHolder(LockKey(p.env));
  std::string who = holder && *holder ? (*holder)->Describe() : "another session";
  ctx.Fail(Error{ErrorKind::kLockTimeout,
                 fmt::format("another orchestrator drives rollouts of {}: {}", p.env, who)});
  return false;
}

void RunOrResume(Context& ctx, const RolloutFlags& f, bool resume) {
  auto prepared = Prepare(ctx, f.parallelism);
  if (!prepared) return void(ctx.Fail(prepared.error()));
  Prepared& p = *prepared;
  bool approvals = HasApprovalRules(*p.project, p.env);
  auto reviews = approvals ? Review(ctx, p, true) : std::map<std::string, MigrationReview>{};
  std::vector<std::string> problems;
  for (const auto& r : p.plan.refusals) problems.push_back(r.kind + ": " + r.message);
  for (const auto& [key, r] : reviews) {
    for (const auto& a : r.approvals_missing) problems.push_back("approval: " + a);
  }
  if (f.dry_run) {
    if (ctx.g.json) {
      json doc = PlanJson(p.plan, reviews);
      doc["dry_run"] = true;
      ctx.PrintJson(doc);
    } else {
      std::cout << PlanText(p.plan, reviews, approvals) << "(dry run: nothing applied)\n";
    }
    if (!problems.empty()) ctx.exit_code = kExitInput;
    return;
  }
  if (!problems.empty()) {
    for (const auto& pr : problems) std::cerr << "strata: refused: " << pr << "\n";
    ctx.exit_code = kExitInput;
    if (ctx.g.json) ctx.PrintJson({{"refused", problems}, {"plan", PlanJson(p.plan, reviews)}});
    return;
  }
  std::string command = fmt::format("rollout {} --env {}", resume ? "resume" : "run", p.env);
  if (!Lock(ctx, p, command)) return;
  auto unfinished = f.id ? std::optional<rollout::RolloutRecord>() : std::optional<rollout::RolloutRecord>();
  if (f.id) {
    auto rec = p.store->Get(f.id);
    if (!rec) return void(ctx.Fail(rec.error()));
    if (rec->env != p.env) {
      return void(ctx.Fail(Error{ErrorKind::kUsage, fmt::format("rollout {} is for {}: add --env {}", f.id, rec->env, rec->env)}));
    }
    unfinished = *rec;
  } else {
    auto u = p.store->FindUnfinished(p.env);
    if (!u) return void(ctx.Fail(u.error()));
    unfinished = *u;
  }
  long long id = 0;
  bool resumed = false;
  if (unfinished && (unfinished->state == "running" || unfinished->state == "paused" || unfinished->state == "failed")) {
    if (unfinished->plan_hash == p.plan.hash) {
      id = unfinished->id;
      resumed = true;
      if (unfinished->pause_requested) {
        auto r = p.store->RequestPause(id, false);
        if (!r) return void(ctx.Fail(r.error()));
      }
    } else if (unfinished->state == "failed" && !resume) {
      auto r = p.store->SetState(unfinished->id, "superseded", unfinished->stage, "a new plan replaced it");
      if (!r) return void(ctx.Fail(r.error()));
    } else {
      // Refused before anything runs: exit 2 (exit 1 means a health gate failed).
      return void(ctx.Fail(Error{ErrorKind::kInput,
                                 fmt::format("rollout {} of {} is {} with a different plan (migrations or targets "
                                             "changed since): finish it with the project as it was, or `strata "
                                             "--env {} rollout cancel {}`",
                                             unfinished->id, p.env, unfinished->state, p.env, unfinished->id)}));
    }
  } else if (resume) {
    std::string what = unfinished ? fmt::format("rollout {} is {}", unfinished->id, unfinished->state)
                                  : fmt::format("no unfinished rollout in {}", p.env);
    return void(ctx.Fail(Error{ErrorKind::kInput, what + ": nothing to resume (start one with `strata rollout run`)"}));
  }
  if (!resumed) {
    if (!HasNew(p.plan)) {
      if (ctx.g.json) return ctx.PrintJson({{"rollout", nullptr}, {"message", "nothing to roll out"}});
      return ctx.Say(fmt::format("nothing to roll out: every migration already succeeded in {}", p.env));
    }
    auto created = p.store->Create(p.plan, PlanJson(p.plan, reviews).dump(), ctx.MakeActor("rollout").user);
    if (!created) return void(ctx.Fail(created.error()));
    id = *created;
  }
  Drive(ctx, p, id, resumed, f, resume ? "resume" : "run");
}

Result<long long> PickId(Prepared& p, long long id) {
  if (id) return id;
  ASSIGN_OR_RETURN(auto u, p.store->FindUnfinished(p.env));
  if (u) return u->id;
  ASSIGN_OR_RETURN(auto list, p.store->List(p.env, 1));
  if (list.empty()) return MakeError(ErrorKind::kInput, fmt::format("no rollout in {} yet", p.env));
  return list.front().id;
}

void Status(Context& ctx, const RolloutFlags& f) {
  auto prepared = Prepare(ctx, 0, false);
  if (!prepared) return void(ctx.Fail(prepared.error()));
  Prepared& p = *prepared;
  auto id = PickId(p, f.id);
  if (!id) return void(ctx.Fail(id.error()));
  auto rec = p.store->Get(*id);
  if (!rec) return void(ctx.Fail(rec.error()));
  auto targets = p.store->Targets(*id);
  if (!targets) return void(ctx.Fail(targets.error()));
  auto holder = p.db->LockHolder(LockKey(rec->env));
  if (!holder) return void(ctx.Fail(holder.error()));
  std::map<std::string, int> counts = {{"pending", 0}, {"running", 0}, {"done", 0}, {"failed", 0}, {"rolled_back", 0}};
  json failed = json::array();
  for (const auto& t : *targets) {
    counts[t.state]++;
    if (t.state == "failed") failed.push_back({{"target", t.target}, {"error", t.error}});
  }
  json recent = json::array();
  auto list = p.store->List(f.id ? "" : p.env, f.limit);
  if (list) {
    for (const auto& r : *list) recent.push_back(RecordJson(r));
  }
  json doc = {{"rollout", RecordJson(*rec)},
              {"targets", {{"total", targets->size()}}},
              {"orchestrator", *holder ? json((*holder)->Describe()) : json(nullptr)},
              {"failed", failed},
              {"recent", recent}};
  for (const auto& [k, v] : counts) doc["targets"][k] = v;
  if (ctx.g.json) return ctx.PrintJson(doc);
  std::string out = fmt::format("rollout {} ({}): {}{}\n", rec->id, rec->env, rec->state,
                                rec->pause_requested ? " (pause requested)" : "");
  out += fmt::format("  targets: {} total, {} done, {} failed, {} running, {} pending, {} rolled back\n", targets->size(),
                     counts["done"], counts["failed"], counts["running"], counts["pending"], counts["rolled_back"]);
  out += fmt::format("  stages passed: {}{}\n", rec->stages_passed, rec->stage.empty() ? "" : ", current: " + rec->stage);
  if (!rec->message.empty()) out += "  " + rec->message + "\n";
  out += fmt::format("  orchestrator: {}\n", *holder ? (*holder)->Describe() : "none running");
  out += fmt::format("  started by {} at {}, updated {}\n", rec->created_by, rec->created_at, rec->updated_at);
  int shown = 0;
  for (const auto& t : *targets) {
    if (t.state != "failed" || ++shown > 10) continue;
    out += "  failed: " + t.target + ": " + t.error + "\n";
  }
  std::cout << out;
}

void Pause(Context& ctx, const RolloutFlags& f) {
  auto prepared = Prepare(ctx, 0, false);
  if (!prepared) return void(ctx.Fail(prepared.error()));
  Prepared& p = *prepared;
  auto id = PickId(p, f.id);
  if (!id) return void(ctx.Fail(id.error()));
  auto rec = p.store->RequestPause(*id, true);
  if (!rec) return void(ctx.Fail(rec.error()));
  // Nobody drives it (the orchestrator died): mark it paused right away.
  auto holder = p.db->LockHolder(LockKey(rec->env));
  if (!holder) return void(ctx.Fail(holder.error()));
  if (!*holder && rec->state == "running") {
    auto s = p.store->SetState(*id, "paused", rec->stage, "paused while no orchestrator was running");
    if (!s) return void(ctx.Fail(s.error()));
  }
  Audit(*p.db, ctx, "rollout-pause", {{"rollout", *id}, {"env", rec->env}});
  if (ctx.g.json) return ctx.PrintJson({{"rollout", *id}, {"pause_requested", true}, {"orchestrator", *holder ? json((*holder)->Describe()) : json(nullptr)}});
  ctx.Say(fmt::format("rollout {}: pause requested; {}", *id,
                      *holder ? "the orchestrator stops after the targets in flight (" + (*holder)->Describe() + ")"
                              : "no orchestrator is running"));
}

void Cancel(Context& ctx, const RolloutFlags& f) {
  auto prepared = Prepare(ctx, 0, false);
  if (!prepared) return void(ctx.Fail(prepared.error()));
  Prepared& p = *prepared;
  if (!f.id) return void(ctx.Fail(Error{ErrorKind::kUsage, "rollout cancel needs the rollout id"}));
  auto rec = p.store->Get(f.id);
  if (!rec) return void(ctx.Fail(rec.error()));
  p.env = rec->env;
  if (!Lock(ctx, p, "rollout cancel")) return;
  if (rec->state != "running" && rec->state != "paused" && rec->state != "failed") {
    return void(ctx.Fail(Error{ErrorKind::kInput, fmt::format("rollout {} is {}: nothing to cancel", f.id, rec->state)}));
  }
  auto s = p.store->SetState(f.id, "cancelled", rec->stage, "cancelled; what it applied stays applied");
  if (!s) return void(ctx.Fail(s.error()));
  Audit(*p.db, ctx, "rollout-cancel", {{"rollout", f.id}, {"env", rec->env}});
  if (ctx.g.json) return ctx.PrintJson({{"rollout", f.id}, {"state", "cancelled"}});
  ctx.Say(fmt::format("rollout {} cancelled (what it applied stays applied)", f.id));
}

// `rollout plan --targets`: what each target still lacks, read from its own history (one
// connection per target, `parallelism` at a time). "error" holds why a target could not be read.
struct TargetPending {
  std::vector<std::string> pending;
  std::string error;
};

std::map<std::string, TargetPending> PendingPerTarget(const Prepared& p) {
  std::map<std::string, TargetPending> out;
  for (const auto& t : p.plan.targets) out[t.name];
  std::mutex mu;
  std::atomic<size_t> next{0};
  auto work = [&] {
    while (true) {
      size_t i = next++;
      if (i >= p.plan.targets.size()) return;
      const auto& pt = p.plan.targets[i];
      TargetPending tp;
      auto engine = Connect(p.targets.at(pt.name).url, "strata rollout plan");
      if (!engine) {
        tp.error = RedactSecrets(engine.error().message);
      } else {
        auto snap = Migrator::ReadSnapshot(**engine, pt.service);
        if (!snap) {
          tp.error = RedactSecrets(snap.error().message);
        } else {
          std::set<std::string> applied;
          for (const auto& r : snap->records) {
            if (r.status == "applied") applied.insert(r.id);
          }
          for (const auto* m : p.plan.MigrationsOf(pt.service)) {
            if (!applied.count(m->id)) tp.pending.push_back(m->id);
          }
        }
      }
      std::lock_guard<std::mutex> g(mu);
      out[pt.name] = std::move(tp);
    }
  };
  int n = std::max(1, std::min<int>(p.plan.parallelism, static_cast<int>(p.plan.targets.size())));
  std::vector<std::thread> pool;
  for (int i = 0; i < n; ++i) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  return out;
}

void PlanCommand(Context& ctx, const RolloutFlags& f) {
  auto prepared = Prepare(ctx, f.parallelism);
  if (!prepared) return void(ctx.Fail(prepared.error()));
  Prepared& p = *prepared;
  bool approvals = HasApprovalRules(*p.project, p.env);
  auto reviews = Review(ctx, p, approvals);
  bool missing = false;
  for (const auto& [k, r] : reviews) missing |= !r.approvals_missing.empty();
  if (!p.plan.refusals.empty() || missing) ctx.exit_code = kExitFindings;
  std::map<std::string, TargetPending> pending;
  if (f.per_target) pending = PendingPerTarget(p);
  if (ctx.g.json) {
    json doc = PlanJson(p.plan, reviews);
    if (f.per_target) {
      json ts = json::array();
      for (const auto& t : p.plan.targets) {
        const auto& tp = pending[t.name];
        json j = {{"target", t.name}, {"service", t.service}, {"wave", t.wave},
                  {"stage", p.plan.stages[t.stage].name}, {"pending", tp.pending}};
        if (!tp.error.empty()) j["error"] = tp.error;
        ts.push_back(j);
      }
      doc["targets"] = ts;
    }
    return ctx.PrintJson(doc);
  }
  std::cout << PlanText(p.plan, reviews, approvals);
  if (f.per_target) {
    std::cout << "targets (pending, from each target's history):\n";
    for (const auto& t : p.plan.targets) {
      const auto& tp = pending[t.name];
      std::cout << fmt::format("  {:<32} wave {} {:<9} {}\n", t.name, t.wave, p.plan.stages[t.stage].name,
                               !tp.error.empty() ? "unreachable: " + tp.error
                               : tp.pending.empty() ? "up to date"
                                                    : Join(tp.pending, ", "));
    }
  }
}

}  // namespace

void AddRollout(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<RolloutFlags>();
  CLI::App* cmd = app.add_subcommand("rollout", "Roll migrations out across services, environments and shards, in stages");
  cmd->require_subcommand(1);
  cmd->footer(
      "State lives in the control database ([control] url in strata.toml); one orchestrator per environment.\n"
      "Exit codes: 0 done (or paused), 1 a health gate failed (plan: something would be refused),\n"
      "2 bad input or refused (promotion, requires, approvals; nothing applied), 3 a target failed,\n"
      "4 another orchestrator holds the environment.\n"
      "Examples:\n"
      "  strata --env staging rollout plan\n"
      "  strata --env prod rollout run --parallelism 16 --progress\n"
      "  strata --env prod rollout status --json\n"
      "  strata --env prod rollout pause      # the running orchestrator stops after the targets in flight\n"
      "  strata --env prod rollout resume\n"
      "Docs: docs/commands/rollout.md");
  CLI::App* plan = cmd->add_subcommand("plan", "Which migrations go to which targets, in which wave and stage; risk and approvals");
  plan->add_option("--parallelism", f->parallelism, "Workers per stage (default from strata.toml)")->check(CLI::Range(1, 256));
  plan->add_flag("--targets", f->per_target, "Also read each target's history: the migrations it still lacks");
  plan->callback([&ctx, f] { PlanCommand(ctx, *f); });
  CLI::App* run = cmd->add_subcommand("run", "Run the environment's rollout, or resume the unfinished one with the same plan");
  run->add_option("--parallelism", f->parallelism, "Workers per stage (default from strata.toml)")->check(CLI::Range(1, 256));
  run->add_flag("--progress", f->progress, "Progress on stderr even when it is not a terminal");
  run->add_flag("--dry-run", f->dry_run, "Print the plan and the checks; apply nothing");
  run->add_option("--lock-wait", ctx.g.lock_wait, "How long each target waits for its migration lock (default 60s)");
  run->callback([&ctx, f] { RunOrResume(ctx, *f, false); });
  CLI::App* status = cmd->add_subcommand("status", "State of a rollout (default: the environment's unfinished or newest one)");
  status->add_option("id", f->id, "Rollout id");
  status->add_option("--limit", f->limit, "Recent rollouts listed in --json (default 10)");
  status->callback([&ctx, f] { Status(ctx, *f); });
  CLI::App* pause = cmd->add_subcommand("pause", "Ask the orchestrator to stop after the targets in flight");
  pause->add_option("id", f->id, "Rollout id (default: the environment's unfinished one)");
  pause->callback([&ctx, f] { Pause(ctx, *f); });
  CLI::App* resume = cmd->add_subcommand("resume", "Clear the pause and drive the rollout on from where it stopped");
  resume->add_option("id", f->id, "Rollout id (default: the environment's unfinished one)");
  resume->add_option("--parallelism", f->parallelism, "Workers per stage")->check(CLI::Range(1, 256));
  resume->add_flag("--progress", f->progress, "Progress on stderr even when it is not a terminal");
  resume->callback([&ctx, f] { RunOrResume(ctx, *f, true); });
  CLI::App* cancel = cmd->add_subcommand("cancel", "Give up an unfinished rollout (what it applied stays applied)");
  cancel->add_option("id", f->id, "Rollout id")->required();
  cancel->callback([&ctx, f] { Cancel(ctx, *f); });
}

}  // namespace strata::cli
