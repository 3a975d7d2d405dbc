// strata rebase [--onto REF]: moves this branch's migrations on top of the base's heads.
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <set>

#include "branch/rebase.h"
#include "cli/branch_support.h"
#include "cli/commands.h"
#include "engine/engine.h"
#include "migrate/migrator.h"
#include "util/files.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata::cli {
namespace {

struct RebaseFlags {
  std::string onto;
  bool dry_run = false;
  bool offline = false;
};

// Refuses (kInput) when a target of the environment that answers has applied one of `ids`;
// targets that cannot be reached are named in a note and skipped.
Result<void> CheckNotApplied(Context& ctx, const std::string& service, const std::vector<std::string>& ids) {
  ASSIGN_OR_RETURN(const ProjectConfig* p, ctx.Project());
  const ServiceConfig* cfg = p->FindService(service);
  if (cfg == nullptr || cfg->targets.empty()) return {};
  ASSIGN_OR_RETURN(std::string env, ctx.Env());
  auto targets = ResolveTargets(*p, env, {service});
  if (!targets) {
    ctx.Note(fmt::format("strata: note: targets of {} not checked for applied migrations: {}", service,
                         RedactSecrets(targets.error().Describe())));
    return {};
  }
  ::setenv("PGCONNECT_TIMEOUT", "5", 0);  // an unreachable target must not hang the rebase
  std::set<std::string> moving(ids.begin(), ids.end());
  for (const ResolvedTarget& t : *targets) {
    if (t.url.engine() == EngineKind::kSqlite) {
      std::error_code ec;
      if (t.url.sqlite_path() == ":memory:" || !fs::exists(t.url.sqlite_path(), ec)) continue;
    }
    auto engine = Connect(t.url, "strata rebase");
    if (!engine) {
      ctx.Note(fmt::format("strata: note: {} not reachable, not checked for applied migrations ({})", t.name,
                           RedactSecrets(engine.error().message)));
      continue;
    }
    auto snap = Migrator::ReadSnapshot(**engine, service);
    if (!snap) {
      ctx.Note(fmt::format("strata: note: cannot read the history of {} ({})", t.name, RedactSecrets(snap.error().message)));
      continue;
    }
    std::vector<std::string> applied;
    for (const auto& r : snap->records) {
      if (moving.count(r.id)) applied.push_back(r.id);
    }
    if (!applied.empty()) {
      return MakeError(ErrorKind::kInput,
                       fmt::format("{} has applied {} already: renaming {} would orphan its history; roll {} back there "
                                   "first (`strata --env {} rollback --to …`), or pass --offline to rebase anyway",
                                   t.name, Join(applied, ", "), applied.size() == 1 ? "it" : "them",
                                   applied.size() == 1 ? "it" : "them", env));
    }
  }
  return {};
}

}  // namespace

void AddRebase(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<RebaseFlags>();
  CLI::App* cmd = app.add_subcommand("rebase", "Move this branch's migrations on top of the base's heads (new ids, parents, strata.sum)");
  cmd->add_option("--onto,--base", f->onto, "The git ref to rebase onto (default: the branch's upstream, else main, else master)");
  cmd->add_flag("--dry-run", f->dry_run, "Show the renames; change nothing");
  cmd->add_flag("--offline", f->offline, "Do not ask the environment's targets whether a migration to move is applied");
  cmd->footer(
      "The base's migrations must be in the work tree first (git merge or git rebase; a conflict in strata.sum is\n"
      "expected: strata rebase rewrites it). The branch's own migrations then get new ids after the base's newest\n"
      "(keeping their names), their first ones follow the base's heads, and strata.sum is rewritten. The result is\n"
      "loaded and checked before any file changes. Refused when a target of the environment has applied a migration\n"
      "that would be renamed (unreachable targets are skipped with a note; --offline skips them all).\n"
      "Examples:\n"
      "  git merge origin/main; strata rebase --onto origin/main --dry-run\n"
      "  strata rebase --onto origin/main && strata validate --offline\n");
  cmd->callback([&ctx, f] {
    auto project = ctx.Project();
    if (!project) return void(ctx.Fail(project.error()));
    auto ref = BaseRef(ctx, f->onto);
    if (!ref) return void(ctx.Fail(ref.error()));
    auto chosen = ctx.ServiceConfigs();
    if (!chosen) return void(ctx.Fail(chosen.error()));
    const std::vector<const ServiceConfig*>& services = *chosen;
    // Plan every service before changing any.
    std::vector<std::pair<const ServiceConfig*, branch::RebasePlan>> plans;
    for (const ServiceConfig* cfg : services) {
      auto sides = LoadBranchSides(**project, *cfg, *ref);
      if (!sides) return void(ctx.Fail(sides.error()));
      auto plan = branch::PlanRebase(cfg->migrations_dir, cfg->name, sides->work.migrations, sides->base, *ref);
      if (!plan) return void(ctx.Fail(plan.error()));
      if (!plan->moves.empty() && !f->offline) {
        std::vector<std::string> ids;
        for (const auto& mv : plan->moves) ids.push_back(mv.old_id);
        if (auto r = CheckNotApplied(ctx, cfg->name, ids); !r) return void(ctx.Fail(r.error()));
      }
      plans.emplace_back(cfg, std::move(*plan));
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [cfg, plan] : plans) {
      nlohmann::json moves = nlohmann::json::array();
      for (const auto& mv : plan.moves) {
        moves.push_back({{"from", mv.old_id + "_" + mv.name}, {"to", mv.new_id + "_" + mv.name}, {"parents", mv.parents},
                         {"old_path", mv.old_path}, {"new_path", mv.new_path}});
      }
      std::string sum_path = (fs::path(cfg->migrations_dir) / "strata.sum").string();
      std::string current_sum;
      {
        std::error_code ec;
        if (fs::exists(sum_path, ec)) {
          auto t = ReadFile(sum_path);
          if (t) current_sum = *t;
        }
      }
      bool sum_changes = current_sum != plan.sum;
      if (plan.moves.empty()) {
        ctx.Say(fmt::format("{}: already on top of {} (head{} {}){}", cfg->name, *ref, plan.onto.size() == 1 ? "" : "s",
                            plan.onto.empty() ? "none" : Join(plan.onto, ", "),
                            sum_changes ? (f->dry_run ? "; strata.sum would be rewritten" : "; strata.sum rewritten") : ""));
      }
      for (const auto& mv : plan.moves) {
        ctx.Say(fmt::format("{}: {}{}_{} -> {}_{} (parents {})", cfg->name, f->dry_run ? "would move " : "", mv.old_id,
                            mv.name, mv.new_id, mv.name, Join(mv.parents, ", ")));
      }
      if (!f->dry_run && (sum_changes || !plan.moves.empty())) {
        if (auto r = branch::ApplyRebase(cfg->migrations_dir, plan); !r) return void(ctx.Fail(r.error()));
      }
      out.push_back({{"service", cfg->name}, {"onto", plan.onto}, {"moves", moves}, {"sum_rewritten", sum_changes && !f->dry_run}});
    }
    if (ctx.g.json) ctx.PrintJson({{"base", *ref}, {"dry_run", f->dry_run}, {"services", out}});
  });
}

}  // namespace strata::cli
