// What diff, test, drift and status --drift share: the project's sandbox folder and the engine
// kind of a service.
#pragma once

#include <string>

#include "cli/context.h"
#include "testkit/drift_check.h"
#include "testkit/scratch_server.h"

namespace strata::cli {

// <project>/.strata/sandbox (the folder `strata sandbox up` uses by default).
std::string ProjectSandboxDir(Context& ctx);

// The engine of a service: its `engine` key, else the scheme of its first target URL in the
// chosen environment, else PostgreSQL.
EngineKind ServiceEngine(Context& ctx, const LoadedService& svc);

// A factory of fresh databases of `kind` in `scratch` (named after `prefix`).
DatabaseFactory FreshDatabases(ScratchServer& scratch, EngineKind kind, const std::string& prefix);

// `strata drift` for one target: its recorded history replayed in `scratch`, compared with it.
Result<DriftReport> DriftOfTarget(Context& ctx, ScratchServer& scratch, const ResolvedTarget& target);

}  // namespace strata::cli
