// strata validate: graph, integrity file, and (unless --offline) checksums of applied migrations.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/target_session.h"
#include "util/text.h"

namespace strata::cli {

void AddValidate(CLI::App& app, Context& ctx) {
  auto offline = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("validate", "Check the graph, strata.sum and the checksums of applied migrations");
  cmd->add_flag("--offline", *offline, "Check files only; do not connect to targets");
  cmd->footer(
      "Exit code 1 when a problem is found: strata.sum out of step, several heads, an applied migration edited or\n"
      "unknown, a migration pending out of order.\n"
      "Examples:\n"
      "  strata validate --offline          # in CI, before review\n"
      "  strata --env prod validate --json\n");
  cmd->callback([&ctx, offline] {
    nlohmann::json problems = nlohmann::json::array();
    auto add = [&](std::string service, std::string target, std::string kind, std::string message, std::string file,
                   int line) {
      nlohmann::json p = {{"service", service}, {"kind", kind}, {"message", message}};
      if (!target.empty()) p["target"] = target;
      if (!file.empty()) p["file"] = file;
      if (line > 0) p["line"] = line;
      problems.push_back(p);
      std::string where = file.empty() ? "" : (line > 0 ? fmt::format("{}:{}: ", file, line) : file + ": ");
      ctx.Say(fmt::format("{}{}{}: {}", where, target.empty() ? service : target, "", message));
    };
    auto services = ctx.Services();
    if (!services) return void(ctx.Fail(services.error()));
    for (const LoadedService* svc : *services) {
      const std::string& name = svc->config->name;
      auto integrity = ctx.CheckIntegrity(*svc, true);
      if (!integrity) return void(ctx.Fail(integrity.error()));
      for (const auto& p : *integrity) {
        add(name, "", "integrity",
            p.path.empty() ? p.problem : fmt::format("{} {} without `strata hash`", p.path, p.problem), ctx.SumPath(*svc),
            p.line);
      }
      auto heads = svc->graph.Heads();
      if (heads.size() > 1) {
        add(name, "", "heads", fmt::format("{} heads ({}): add a merge migration with `strata new --merge NAME`",
                                           heads.size(), Join(heads, ", ")), svc->config->migrations_dir, 0);
      }
    }
    if (!*offline) {
      auto targets = ctx.Targets();
      if (!targets) return void(ctx.Fail(targets.error()));
      for (const auto& t : *targets) {
        auto session = OpenTarget(ctx, t, "validate");
        if (!session) return void(ctx.Fail(session.error()));
        auto st = session->migrator->Status();
        if (!st) return void(ctx.Fail(st.error()));
        for (const auto& id : st->edited) {
          const Migration* m = session->service->graph.Find(id);
          add(t.service, t.name, "edited", fmt::format("{} was edited after it was applied (checksum differs)", m->Label()),
              m->up.file, 0);
        }
        for (const auto& id : st->unknown) {
          add(t.service, t.name, "unknown", fmt::format("{} is applied but not in the project", id), "", 0);
        }
        for (const auto& id : st->out_of_order) {
          add(t.service, t.name, "out_of_order",
              fmt::format("{} is pending but later migrations are applied", session->service->graph.Find(id)->Label()),
              session->service->graph.Find(id)->path, 0);
        }
        for (const auto& id : st->partial) {
          add(t.service, t.name, "partial", fmt::format("{} stopped midway (no-transaction); `strata apply` resumes", id), "", 0);
        }
      }
    }
    if (problems.empty()) ctx.Say("strata: validate: no problems found");
    if (ctx.g.json) ctx.PrintJson({{"ok", problems.empty()}, {"problems", problems}});
    ctx.exit_code = problems.empty() ? kExitOk : kExitFindings;
  });
}

}  // namespace strata::cli
