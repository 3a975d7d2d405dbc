#include "cli/context.h"

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>

#include "governance/identity.h"
#include "util/database_url.h"
#include "util/files.h"
#include "util/process.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata::cli {

int ExitCodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kCheck: return kExitFindings;
    case ErrorKind::kUsage:
    case ErrorKind::kInput:
    case ErrorKind::kIo: return kExitInput;
    case ErrorKind::kLockTimeout: return kExitLock;
    case ErrorKind::kDatabase:
    case ErrorKind::kInternal: return kExitDatabase;
  }
  return kExitDatabase;
}

nlohmann::json ErrorJson(const Error& e) {
  static const char* kKinds[] = {"usage", "input", "io", "check", "database", "lock_timeout", "internal"};
  nlohmann::json j = {{"kind", kKinds[static_cast<int>(e.kind)]}, {"message", RedactSecrets(e.message)}};
  if (!e.file.empty()) j["file"] = e.file;
  if (e.line > 0) j["line"] = e.line;
  if (!e.migration_id.empty()) j["migration"] = e.migration_id;
  if (!e.sqlstate.empty()) j["sqlstate"] = e.sqlstate;
  return j;
}

Result<const ProjectConfig*> Context::Project() {
  if (project_) return &*project_;
  std::string url = g.url;
  if (url.empty() && g.project_dir.empty()) {
    const char* env_project = std::getenv("STRATA_PROJECT");
    if (env_project && *env_project) g.project_dir = env_project;
  }
  std::string file;
  if (url.empty()) {
    std::string start = g.project_dir.empty() ? "." : g.project_dir;
    if (!g.project_dir.empty()) {
      std::error_code ec;
      if (!fs::is_directory(g.project_dir, ec)) {
        return MakeErrorAt(ErrorKind::kInput, g.project_dir, 0, "--project: no such folder");
      }
      file = fs::exists(fs::path(g.project_dir) / "strata.toml", ec) ? (fs::path(g.project_dir) / "strata.toml").string() : "";
    } else {
      file = FindProjectFile(start);
    }
    if (file.empty()) {
      const char* env_url = std::getenv("DATABASE_URL");
      if (env_url && *env_url) url = env_url;
    }
  }
  std::error_code ec;
  // No project and no database: commands that only read files (hash, graph, new, validate
  // --offline) still work on the migrations folder; connecting then asks for a URL.
  if (!url.empty() || (file.empty() && fs::is_directory(g.dir, ec))) {
    project_ = ZeroConfigProject(url, g.dir, g.services.empty() ? "" : g.services.front());
    if (!g.services.empty()) g.services = {project_->services.front().name};
    return &*project_;
  }
  if (file.empty()) {
    return MakeError(ErrorKind::kInput,
                     "no strata.toml here or above (create one with `strata init`), and no database given with --url "
                     "or DATABASE_URL");
  }
  ASSIGN_OR_RETURN(ProjectConfig p, LoadProjectConfig(fs::path(file).lexically_normal().string()));
  project_ = std::move(p);
  return &*project_;
}

Result<std::string> Context::Env() {
  ASSIGN_OR_RETURN(const ProjectConfig* p, Project());
  std::string env = g.env;
  if (env.empty() && !p->file.empty()) {  // STRATA_ENV names environments of strata.toml only
    const char* e = std::getenv("STRATA_ENV");
    if (e && *e) env = e;
  }
  return env.empty() ? p->default_env : env;
}

Result<const LoadedService*> Context::Service(const std::string& name) {
  auto it = services_.find(name);
  if (it != services_.end()) return it->second.get();
  ASSIGN_OR_RETURN(const ProjectConfig* p, Project());
  const ServiceConfig* cfg = p->FindService(name);
  if (!cfg) {
    std::vector<std::string> names;
    for (const auto& s : p->services) names.push_back(s.name);
    return MakeErrorAt(ErrorKind::kInput, p->file, 0, fmt::format("unknown service '{}' (known: {})", name, Join(names, ", ")));
  }
  ASSIGN_OR_RETURN(LoadedMigrations loaded, LoadMigrations(cfg->migrations_dir, cfg->name));
  // The graph keeps the migrations; `loaded` keeps the file contents for strata.sum.
  ASSIGN_OR_RETURN(MigrationGraph graph, MigrationGraph::Build(std::move(loaded.migrations)));
  loaded.migrations.clear();
  auto svc = std::make_unique<LoadedService>(LoadedService{cfg, std::move(loaded), std::move(graph), {}});
  svc->settings = p->defaults.MergedWith(cfg->settings);
  const LoadedService* out = svc.get();
  services_[name] = std::move(svc);
  return out;
}

Result<std::vector<const LoadedService*>> Context::Services() {
  ASSIGN_OR_RETURN(const ProjectConfig* p, Project());
  std::vector<const LoadedService*> out;
  if (g.services.empty()) {
    for (const auto& s : p->services) {
      ASSIGN_OR_RETURN(const LoadedService* svc, Service(s.name));
      out.push_back(svc);
    }
  } else {
    for (const auto& name : g.services) {
      ASSIGN_OR_RETURN(const LoadedService* svc, Service(name));
      out.push_back(svc);
    }
  }
  return out;
}

Result<std::vector<ResolvedTarget>> Context::Targets() {
  ASSIGN_OR_RETURN(const ProjectConfig* p, Project());
  ASSIGN_OR_RETURN(std::string env, Env());
  if (p->file.empty() && p->services.front().targets.empty()) {
    return MakeError(ErrorKind::kInput, "no database: pass --url URL or set DATABASE_URL (or add a strata.toml)");
  }
  ASSIGN_OR_RETURN(auto targets, ResolveTargets(*p, env, g.services));
  if (targets.empty()) {
    return MakeErrorAt(ErrorKind::kInput, p->file, 0,
                       fmt::format("no targets in environment '{}'{}: add them under [services.NAME.targets]", env,
                                   g.services.empty() ? "" : " for " + Join(g.services, ", ")));
  }
  return targets;
}

std::string Context::SumPath(const LoadedService& svc) const {
  return (fs::path(svc.config->migrations_dir) / "strata.sum").string();
}

Result<std::vector<IntegrityProblem>> Context::CheckIntegrity(const LoadedService& svc, bool require) {
  std::string path = SumPath(svc);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (!require) return std::vector<IntegrityProblem>{};
    return std::vector<IntegrityProblem>{{"", "strata.sum is missing: run `strata hash`", 0}};
  }
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  ASSIGN_OR_RETURN(IntegrityFile recorded, IntegrityFile::Parse(text, path));
  return CompareIntegrity(recorded, IntegrityFile::Compute(svc.loaded.files));
}

Actor Context::MakeActor(const std::string& command) const { return governance::ResolveActor(g.actor, command); }

Result<std::chrono::milliseconds> Context::LockWait() {
  if (!g.lock_wait.empty()) {
    auto d = ParseDuration(g.lock_wait);
    if (!d) return MakeError(ErrorKind::kUsage, "--lock-wait: " + d.error().message);
    return *d;
  }
  ASSIGN_OR_RETURN(const ProjectConfig* p, Project());
  return p->lock_wait;
}

int Context::Fail(const Error& e, nlohmann::json partial) {
  exit_code = ExitCodeFor(e.kind);
  std::string text = RedactSecrets(e.Describe());
  std::cerr << "strata: error: " << text << "\n";
  if (g.json) {
    if (!partial.is_object()) partial = nlohmann::json::object();
    partial["error"] = ErrorJson(e);
    PrintJson(partial);
  }
  return exit_code;
}

void Context::PrintJson(const nlohmann::json& doc) const { std::cout << doc.dump(2) << "\n"; }

void Context::Say(const std::string& line) const {
  if (!g.json && !g.quiet) std::cout << line << "\n";
}

void Context::Note(const std::string& line) const {
  if (!g.quiet) std::cerr << line << "\n";
}

}  // namespace strata::cli
