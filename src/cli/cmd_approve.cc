// strata approve SERVICE/ID --role ROLE: record an approval bound to the migration's checksum.
#include <fmt/format.h>

#include "cli/commands.h"
#include "control/control_db.h"
#include "governance/approvals.h"
#include "governance/control_tables.h"

namespace strata::cli {
namespace {

struct ApproveFlags {
  std::string migration;  // SERVICE/ID
  std::string role;
};

// Checks the role against [roles] when the project declares roles.
Result<void> CheckRole(const ProjectConfig& project, const std::string& role, const Actor& actor) {
  if (project.roles.empty()) return {};
  auto it = project.roles.find(role);
  if (it == project.roles.end()) {
    std::vector<std::string> names;
    for (const auto& [name, members] : project.roles) names.push_back(name);
    return MakeErrorAt(ErrorKind::kInput, project.file, 0,
                       fmt::format("--role {}: no such role in [roles] (known: {})", role, fmt::join(names, ", ")));
  }
  if (std::find(it->second.begin(), it->second.end(), actor.user) == it->second.end()) {
    return MakeErrorAt(ErrorKind::kInput, project.file, 0,
                       fmt::format("{} (from {}) is not a member of role '{}' in [roles]; nothing was recorded",
                                   actor.user, actor.source, role));
  }
  return {};
}

}  // namespace

void AddApprove(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<ApproveFlags>();
  CLI::App* cmd = app.add_subcommand("approve", "Approve a migration for an environment, bound to its checksum");
  cmd->add_option("migration", f->migration, "SERVICE/ID of the migration (e.g. users/20250801120000)")->required();
  cmd->add_option("--role", f->role, "The role you approve as (e.g. dba, owner); see [policy.<env>]")->required();
  cmd->footer(
      "The approval counts for the migration as it is now: editing its file (up, down, verify or\n"
      "directives) voids it. One person counts once. Stored in the control database when strata.toml\n"
      "has [control], otherwise in every target of the service in the environment; always audited.\n"
      "Examples:\n"
      "  strata --env prod approve users/20250801120000 --role dba\n"
      "  strata approve orders/0007 --role owner --env staging --actor alice --json\n");
  cmd->callback([&ctx, f] {
    nlohmann::json out = nlohmann::json::object();
    size_t slash = f->migration.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == f->migration.size()) {
      return void(ctx.Fail(Error{ErrorKind::kUsage, fmt::format("approve: expected SERVICE/ID, got '{}'", f->migration)}));
    }
    std::string service = f->migration.substr(0, slash);
    std::string id = f->migration.substr(slash + 1);
    auto project = ctx.Project();
    if (!project) return void(ctx.Fail(project.error()));
    auto env = ctx.Env();
    if (!env) return void(ctx.Fail(env.error()));
    auto svc = ctx.Service(service);
    if (!svc) return void(ctx.Fail(svc.error()));
    const Migration* m = (*svc)->graph.Find(id);
    if (m == nullptr) {
      return void(ctx.Fail(MakeErrorAt(ErrorKind::kInput, (*svc)->config->migrations_dir, 0,
                                       fmt::format("service {} has no migration '{}'", service, id))
                               .error()));
    }
    std::string command = fmt::format("approve {} --role {} --env {}", f->migration, f->role, *env);
    Actor actor = ctx.MakeActor(command);
    if (auto r = CheckRole(**project, f->role, actor); !r) return void(ctx.Fail(r.error()));
    governance::Approval a;
    a.service = service;
    a.migration_id = m->id;
    a.checksum = governance::ApprovalChecksum(*m);
    a.env = *env;
    a.role = f->role;
    out = {{"service", service},         {"migration", m->id},        {"env", *env},
           {"role", f->role},            {"actor", actor.user},       {"actor_source", actor.source},
           {"checksum", a.checksum},     {"stored_in", nlohmann::json::array()}};
    bool repeat = false;
    if (!(*project)->control.url_template.empty()) {
      auto db = OpenControlDb(**project);
      if (!db) return void(ctx.Fail(db.error(), out));
      if (auto r = governance::EnsureGovernanceTables(**db); !r) return void(ctx.Fail(r.error(), out));
      governance::ApprovalStore store = governance::ApprovalStore::ForControl((*db)->engine());
      auto fresh = store.Record(a, actor);
      if (!fresh) return void(ctx.Fail(fresh.error(), out));
      repeat = !*fresh;
      out["stored_in"].push_back((*db)->RedactedUrl());
    } else {
      auto targets = ResolveTargets(**project, *env, {service});
      if (!targets) return void(ctx.Fail(targets.error(), out));
      if (targets->empty()) {
        return void(ctx.Fail(MakeErrorAt(ErrorKind::kInput, (*project)->file, 0,
                                         fmt::format("service {} has no targets in {} and there is no [control] "
                                                     "database to keep the approval",
                                                     service, *env))
                                 .error(),
                             out));
      }
      // Connect to every target first: an unreachable one records nothing anywhere.
      std::vector<std::unique_ptr<Engine>> engines;
      for (const ResolvedTarget& t : *targets) {
        auto engine = Connect(t.url, "strata approve");
        if (!engine) return void(ctx.Fail(engine.error(), out));
        engines.push_back(std::move(*engine));
      }
      for (size_t i = 0; i < targets->size(); ++i) {
        const ResolvedTarget& t = (*targets)[i];
        governance::ApprovalStore store = governance::ApprovalStore::ForTarget(*engines[i]);
        if (auto r = store.EnsureForTarget(service); !r) return void(ctx.Fail(r.error(), out));
        auto fresh = store.Record(a, actor);
        if (!fresh) return void(ctx.Fail(fresh.error(), out));
        repeat = repeat || !*fresh;
        out["stored_in"].push_back(t.name);
      }
    }
    out["repeat"] = repeat;
    ctx.Say(fmt::format("approved {}/{} for {} as {} by {} ({}), checksum {}{}; recorded in {} and audited", service,
                        m->id, *env, f->role, actor.user, actor.source, a.checksum.substr(0, 12),
                        repeat ? " (already approved: counts once)" : "",
                        fmt::join(out["stored_in"].get<std::vector<std::string>>(), ", ")));
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
