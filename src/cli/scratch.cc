#include "cli/scratch.h"

#include <filesystem>

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

}  // namespace strata::cli
