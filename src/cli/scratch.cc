#include "cli/scratch.h"

#include <filesystem>

#include <fmt/format.h>

#include "testkit/replay.h"

namespace fs = std::filesystem;

namespace strata::cli {

std::string ProjectSandboxDir(Context& ctx) {
  auto project = ctx.Project();
  std::string root = project && !(*project)->root.empty() ? (*project)->root : fs::current_path().string();
  return (fs::path(root) / ".strata" / "sandbox").string();
}

EngineKind ServiceEngine(Context& ctx, const LoadedService& svc) {
  if (svc.config->engine) return *svc.config->engine;
  auto targets = ctx.Targets();
  if (targets) {
    for (const auto& t : *targets) {
      if (t.service == svc.config->name) return t.url.engine();
    }
  }
  return EngineKind::kPostgres;
}

DatabaseFactory FreshDatabases(ScratchServer& scratch, EngineKind kind, const std::string& prefix) {
  return [&scratch, kind, prefix]() -> Result<std::unique_ptr<Engine>> {
    ASSIGN_OR_RETURN(std::string url, kind == EngineKind::kSqlite ? scratch.NewSqliteDatabase(prefix)
                                                                  : scratch.NewPostgresDatabase(prefix));
    return OpenUrl(url);
  };
}

Result<DriftReport> DriftOfTarget(Context& ctx, ScratchServer& scratch, const ResolvedTarget& target) {
  ASSIGN_OR_RETURN(const LoadedService* svc, ctx.Service(target.service));
  ASSIGN_OR_RETURN(auto live, Connect(target.url, "strata drift"));
  auto report = CheckDrift(svc->graph, svc->settings, *live, target.service, ctx.MakeActor("drift"),
                           FreshDatabases(scratch, target.url.engine(), "drift_" + target.service));
  if (!report) {
    Error e = report.error();
    e.message = fmt::format("{}: replaying its history in a sandbox: {}", target.name, e.message);
    return std::unexpected(e);
  }
  return report;
}

}  // namespace strata::cli
