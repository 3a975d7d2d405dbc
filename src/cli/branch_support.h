// What `strata check` and `strata rebase` share: a service's migrations as they are in the work
// tree (loaded without building the graph, so duplicate ids become findings rather than load
// errors) and as they are at a git ref.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "branch/git_snapshot.h"
#include "cli/context.h"
#include "core/graph.h"
#include "project/migration_loader.h"

namespace strata::cli {

struct BranchSides {
  const ServiceConfig* config = nullptr;
  LoadedMigrations work;                          // the work tree's migrations and files
  std::unique_ptr<branch::GitSnapshot> snapshot;  // the base's folder
  MigrationGraph base;                            // the base's graph (empty when the folder is new)
};

// The base ref: `ref` when given, else the branch's upstream, main or master.
Result<std::string> BaseRef(Context& ctx, const std::string& ref);

// Loads both sides of one service. The base's side is the service's folder at `ref`, or, when
// the branch moved the folder, the one the base's strata.toml names. Malformed files (either
// side) are kInput naming the file and line; files of the base are named "REF:path".
Result<BranchSides> LoadBranchSides(const ProjectConfig& project, const ServiceConfig& svc, const std::string& ref);

}  // namespace strata::cli
