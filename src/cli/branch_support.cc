#include "cli/branch_support.h"

#include <fmt/format.h>

namespace strata::cli {

Result<std::string> BaseRef(Context& ctx, const std::string& ref) {
  if (!ref.empty()) return ref;
  ASSIGN_OR_RETURN(const ProjectConfig* p, ctx.Project());
  if (p->services.empty()) return MakeError(ErrorKind::kInput, "the project has no services");
  return branch::GitSnapshot::DefaultBase(p->services.front().migrations_dir);
}

Result<BranchSides> LoadBranchSides(const ServiceConfig& svc, const std::string& ref) {
  BranchSides s;
  s.config = &svc;
  ASSIGN_OR_RETURN(s.work, LoadMigrations(svc.migrations_dir, svc.name));
  ASSIGN_OR_RETURN(s.snapshot, branch::GitSnapshot::Extract(svc.migrations_dir, ref));
  if (!s.snapshot->exists()) return s;
  auto base = LoadMigrations(s.snapshot->path(), svc.name);
  if (!base) return std::unexpected(s.snapshot->Relabel(base.error()));
  auto graph = MigrationGraph::Build(std::move(base->migrations));
  if (!graph) return std::unexpected(s.snapshot->Relabel(graph.error()));
  s.base = std::move(*graph);
  return s;
}

}  // namespace strata::cli
