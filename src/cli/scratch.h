// What diff, test, drift and status --drift share: the project's sandbox folder and the engine
// kind of a service.
#pragma once

#include <string>

#include "cli/context.h"

namespace strata::cli {

// <project>/.strata/sandbox (the folder `strata sandbox up` uses by default).
std::string ProjectSandboxDir(Context& ctx);

// The engine of a service: its `engine` key, else the scheme of its first target URL in the
// chosen environment, else PostgreSQL.
EngineKind ServiceEngine(Context& ctx, const LoadedService& svc);

}  // namespace strata::cli
