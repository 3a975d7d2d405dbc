// Who is acting, for the audit trail and approvals. Precedence:
//   --actor flag  >  STRATA_ACTOR  >  the CI system's user (GITHUB_ACTOR, GITLAB_USER_LOGIN,
//   BUILDKITE_BUILD_CREATOR, CIRCLE_USERNAME, BITBUCKET_STEP_TRIGGERER_UUID,
//   BUILD_REQUESTEDFOR (Azure), DRONE_COMMIT_AUTHOR, CI_ACTOR)  >  the OS user.
// Actor::source records which one gave the name ("flag", the variable's name, or "os").
#pragma once

#include <string>
#include <vector>

#include "history/audit_log.h"

namespace strata::governance {

// The environment variables consulted after the flag, in order.
const std::vector<std::string>& ActorVariables();

// Resolves the actor. `flag` is --actor ("" when not given); `command` is recorded with
// secrets redacted; the host is this machine's name.
Actor ResolveActor(const std::string& flag, const std::string& command);

}  // namespace strata::governance
