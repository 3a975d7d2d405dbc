// What every command shares: global options, the loaded project, services and targets, and
// the rules for turning errors into messages and exit codes. Only src/cli prints.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/graph.h"
#include "core/integrity.h"
#include "history/history_store.h"
#include "project/migration_loader.h"
#include "project/project_config.h"
#include "util/error.h"

namespace strata::cli {

struct GlobalOptions {
  std::string project_dir;
  std::string env;
  std::vector<std::string> services;
  std::string url;
  std::string dir = "migrations";
  bool json = false;
  bool quiet = false;
  std::string lock_wait;  // duration; empty: from strata.toml (default 60s)
  std::string actor;      // who; empty: STRATA_ACTOR, CI variables, then the OS user
};

// One service with its migrations loaded and its graph built.
struct LoadedService {
  const ServiceConfig* config = nullptr;
  LoadedMigrations loaded;  // .files only: the migrations themselves moved into `graph`
  MigrationGraph graph;
  ExecSettings settings;  // project defaults merged with the service's own
};

// Exit codes of the command-line contract (docs/exit-codes.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitFindings = 1,
  kExitInput = 2,
  kExitDatabase = 3,
  kExitLock = 4,
};
int ExitCodeFor(ErrorKind kind);

class Context {
 public:
  GlobalOptions g;
  int exit_code = kExitOk;

  // strata.toml (found upward from --project / STRATA_PROJECT / the working folder), or a
  // one-service project from --url / DATABASE_URL and --dir. Loaded once.
  Result<const ProjectConfig*> Project();
  // The environment chosen with --env, or the project's default.
  Result<std::string> Env();
  // The services chosen with --service (all when none), loaded and checked.
  Result<std::vector<const LoadedService*>> Services();
  Result<const LoadedService*> Service(const std::string& name);
  // The configurations of the chosen services (all when none), without loading migrations.
  Result<std::vector<const ServiceConfig*>> ServiceConfigs();
  // The targets of the chosen environment and services.
  Result<std::vector<ResolvedTarget>> Targets();
  // Checks strata.sum of a service: a problem list (empty when in step). A missing strata.sum is
  // reported as a problem only when `require` is set.
  Result<std::vector<IntegrityProblem>> CheckIntegrity(const LoadedService& svc, bool require);
  std::string SumPath(const LoadedService& svc) const;

  Actor MakeActor(const std::string& command) const;
  Result<std::chrono::milliseconds> LockWait();

  // Prints an error (text to stderr; in --json mode also {"error": …} on stdout) and sets
  // exit_code from its kind. Returns exit_code.
  int Fail(const Error& e, nlohmann::json partial = nlohmann::json::object());
  // Prints one JSON document on stdout.
  void PrintJson(const nlohmann::json& doc) const;
  // Text output (stdout) unless --json or --quiet.
  void Say(const std::string& line) const;
  // Notes and warnings (stderr) unless --quiet.
  void Note(const std::string& line) const;

 private:
  std::optional<ProjectConfig> project_;
  std::map<std::string, std::unique_ptr<LoadedService>> services_;
};

nlohmann::json ErrorJson(const Error& e);

}  // namespace strata::cli
