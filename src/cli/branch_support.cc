#include "cli/branch_support.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "project/project_config.h"

namespace strata::cli {

Result<std::string> BaseRef(Context& ctx, const std::string& ref) {
  if (!ref.empty()) return ref;
  ASSIGN_OR_RETURN(const ProjectConfig* p, ctx.Project());
  if (p->services.empty()) return MakeError(ErrorKind::kInput, "the project has no services");
  return branch::GitSnapshot::DefaultBase(p->services.front().migrations_dir);
}

namespace {

// The service's migrations folder as the base's strata.toml names it (the branch may have moved
// the folder); "" when that cannot be told (no strata.toml at `ref`, it does not load, or it has
// no such service).
std::string FolderAtRef(const ProjectConfig& project, const ServiceConfig& svc, const std::string& ref) {
  namespace fs = std::filesystem;
  if (project.file.empty()) return "";
  auto text = branch::GitSnapshot::ReadFile(project.root, ref, project.file);
  if (!text || !*text) return "";
  auto scratch = branch::MakeScratchDir("strata-toml-");
  if (!scratch) return "";
  std::string found;
  {
    std::ofstream(*scratch + "/strata.toml") << **text;
    auto base = LoadProjectConfig(*scratch + "/strata.toml");
    const ServiceConfig* was = base ? base->FindService(svc.name) : nullptr;
    if (was) {
      fs::path rel = fs::path(was->migrations_dir).lexically_relative(*scratch);
      bool inside = !rel.empty() && *rel.begin() != "..";
      found = inside ? (fs::path(project.root) / rel).lexically_normal().string() : was->migrations_dir;
    }
  }
  std::error_code ec;
  fs::remove_all(*scratch, ec);
  return found;
}

}  // namespace

Result<BranchSides> LoadBranchSides(const ProjectConfig& project, const ServiceConfig& svc, const std::string& ref) {
  BranchSides s;
  s.config = &svc;
  ASSIGN_OR_RETURN(s.work, LoadMigrations(svc.migrations_dir, svc.name));
  ASSIGN_OR_RETURN(s.snapshot, branch::GitSnapshot::Extract(svc.migrations_dir, ref));
  if (!s.snapshot->exists()) {
    // Not there at `ref`: a new service, or a folder the branch moved (read it where it was).
    std::string was = FolderAtRef(project, svc, ref);
    if (!was.empty() && was != svc.migrations_dir) {
      ASSIGN_OR_RETURN(s.snapshot, branch::GitSnapshot::Extract(was, ref));
    }
  }
  if (!s.snapshot->exists()) return s;
  auto base = LoadMigrations(s.snapshot->path(), svc.name);
  if (!base) return std::unexpected(s.snapshot->Relabel(base.error()));
  auto graph = MigrationGraph::Build(std::move(base->migrations));
  if (!graph) return std::unexpected(s.snapshot->Relabel(graph.error()));
  s.base = std::move(*graph);
  return s;
}

}  // namespace strata::cli
