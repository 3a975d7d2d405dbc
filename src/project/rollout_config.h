// Reading the rollout parts of strata.toml: [environments.<env>] (promotion, stages, gates,
// on_failure) and [rollout] (promotion order, parallelism). Internal to src/project: called by
// LoadProjectConfig; includes toml++.
#pragma once

#include <set>
#include <string>

#include <toml++/toml.h>

#include "project/project_config.h"
#include "util/error.h"

namespace strata::project_internal {

// [environments]: one table per environment. kInput naming file and line for an unknown
// environment or key, a bad value (canary "abc", parallelism 0, on_failure "retry"), a gate
// with none or several of sql/command/http.
Result<void> ReadEnvironments(ProjectConfig& p, const toml::node& v, int line, const std::set<std::string>& envs,
                              const std::string& file);
// [rollout]: promotion = [...], parallelism = N.
Result<void> ReadRollout(ProjectConfig& p, const toml::node& v, int line, const std::set<std::string>& envs,
                         const std::string& file);
// Cross-checks once everything is read: canary target names exist (command-listed targets
// are checked when resolved), promote_after does not loop.
Result<void> CheckRollout(const ProjectConfig& p);

}  // namespace strata::project_internal
