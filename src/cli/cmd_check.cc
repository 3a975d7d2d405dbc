// strata check --base REF: what this branch adds to a git base, and whether it can land as it is.
#include <fmt/format.h>

#include "branch/branch_check.h"
#include "cli/branch_support.h"
#include "cli/commands.h"
#include "util/text.h"

namespace strata::cli {

void AddCheck(CLI::App& app, Context& ctx) {
  auto base = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("check", "Check this branch's migrations against a git base (CI, before review)");
  cmd->add_option("--base", *base, "The git ref to compare with (default: the branch's upstream, else main, else master)");
  cmd->footer(
      "Finds, per service: a stale strata.sum; ids this branch shares with the base; migrations of the base that were\n"
      "edited or deleted; new migrations whose parents are not the base's heads (the branch is behind); and, then,\n"
      "objects (tables, indexes, types, functions …) that both lines touch. When the two lines touch disjoint objects\n"
      "they may be joined with a merge migration (`strata merge`) instead of `strata rebase`.\n"
      "Exit codes: 0 nothing found, 1 problems found, 2 bad input (unknown ref, malformed migration).\n"
      "Examples:\n"
      "  strata check --base origin/main\n"
      "  strata check --base main --json\n");
  cmd->callback([&ctx, base] {
    auto project = ctx.Project();
    if (!project) return void(ctx.Fail(project.error()));
    auto ref = BaseRef(ctx, *base);
    if (!ref) return void(ctx.Fail(ref.error()));
    auto chosen = ctx.ServiceConfigs();
    if (!chosen) return void(ctx.Fail(chosen.error()));
    const std::vector<const ServiceConfig*>& services = *chosen;
    nlohmann::json problems = nlohmann::json::array();
    nlohmann::json reports = nlohmann::json::array();
    auto add = [&](const std::string& service, const std::string& kind, const std::string& message,
                   const std::string& file, int line, const std::string& migration) {
      nlohmann::json p = {{"service", service}, {"kind", kind}, {"message", message}};
      if (!file.empty()) p["file"] = file;
      if (line > 0) p["line"] = line;
      if (!migration.empty()) p["migration"] = migration;
      problems.push_back(p);
      std::string where = file.empty() ? "" : (line > 0 ? fmt::format("{}:{}: ", file, line) : file + ": ");
      ctx.Say(fmt::format("{}{}: {}: {}", where, service, kind, message));
    };
    for (const ServiceConfig* cfg : services) {
      auto sides = LoadBranchSides(**project, *cfg, *ref);
      if (!sides) return void(ctx.Fail(sides.error()));
      // strata.sum of the work tree.
      LoadedService as_loaded{cfg, sides->work, MigrationGraph{}, {}};
      auto integrity = ctx.CheckIntegrity(as_loaded, true);
      if (!integrity) return void(ctx.Fail(integrity.error()));
      for (const auto& p : *integrity) {
        add(cfg->name, "integrity",
            p.path.empty() ? p.problem + " (run `strata hash`)" : fmt::format("{} {} without `strata hash`", p.path, p.problem),
            ctx.SumPath(as_loaded), p.line, "");
      }
      branch::CheckReport r = branch::CheckBranch(sides->work.migrations, sides->base, *ref);
      // The work tree's own graph (ids collisions are reported above; other graph errors here).
      bool collided = false;
      for (const auto& p : r.problems) collided = collided || p.kind == "collision";
      if (!collided) {
        auto g = MigrationGraph::Build(sides->work.migrations);
        if (!g) add(cfg->name, "graph", g.error().message, g.error().file, g.error().line, g.error().migration_id);
      }
      // The base's files are named "REF:path", not by the temporary folder they were read from.
      for (const auto& p : r.problems) {
        add(cfg->name, p.kind, sides->snapshot->Relabel(p.message), sides->snapshot->Relabel(p.file), p.line,
            p.migration_id);
      }
      nlohmann::json shared = nlohmann::json::array();
      for (const auto& s : r.shared) shared.push_back({{"object", s.name}, {"branch", s.branch}, {"base", s.base}});
      reports.push_back({{"service", cfg->name},
                         {"added", r.added},
                         {"base_heads", r.base_heads},
                         {"base_gained", r.base_gained},
                         {"branch_objects", r.branch_objects},
                         {"base_objects", r.base_objects},
                         {"shared_objects", shared},
                         {"suggestion", r.suggestion.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.suggestion)}});
      if (r.problems.empty()) {
        ctx.Say(fmt::format("{}: {} on top of {} (head{} {}){}", cfg->name,
                            r.added.empty() ? std::string("no new migrations")
                                            : fmt::format("{} new migration{}", r.added.size(), r.added.size() == 1 ? "" : "s"),
                            *ref, r.base_heads.size() == 1 ? "" : "s", r.base_heads.empty() ? "none" : Join(r.base_heads, ", "),
                            r.added.empty() ? "" : ": " + Join(r.added, ", ")));
      }
    }
    if (problems.empty()) ctx.Say(fmt::format("strata: check: no problems against {}", *ref));
    else ctx.Say(fmt::format("strata: check: {} problem{} against {}", problems.size(), problems.size() == 1 ? "" : "s", *ref));
    if (ctx.g.json) ctx.PrintJson({{"ok", problems.empty()}, {"base", *ref}, {"services", reports}, {"problems", problems}});
    ctx.exit_code = problems.empty() ? kExitOk : kExitFindings;
  });
}

}  // namespace strata::cli
