// strata hash: rewrite each service's integrity file strata.sum.
#include <fmt/format.h>

#include "cli/commands.h"
#include "util/files.h"

namespace strata::cli {

void AddHash(CLI::App& app, Context& ctx) {
  CLI::App* cmd = app.add_subcommand("hash", "Rewrite the integrity file strata.sum of each service");
  cmd->footer(
      "Run it after adding or editing migration files and commit strata.sum with them: two branches that both\n"
      "add a migration then conflict in git instead of merging silently.\n"
      "Examples:\n"
      "  strata hash\n"
      "  strata --service users hash\n");
  cmd->callback([&ctx] {
    auto services = ctx.Services();
    if (!services) return void(ctx.Fail(services.error()));
    nlohmann::json out = {{"services", nlohmann::json::array()}};
    for (const LoadedService* svc : *services) {
      IntegrityFile f = IntegrityFile::Compute(svc->loaded.files);
      std::string path = ctx.SumPath(*svc);
      if (auto r = WriteFileAtomic(path, f.Render()); !r) return void(ctx.Fail(r.error()));
      out["services"].push_back({{"service", svc->config->name}, {"file", path}, {"total", f.total()},
                                 {"files", f.entries().size()}});
      ctx.Say(fmt::format("{}: wrote {} ({} files)", svc->config->name, path, f.entries().size()));
    }
    if (ctx.g.json) ctx.PrintJson(out);
  });
}

}  // namespace strata::cli
