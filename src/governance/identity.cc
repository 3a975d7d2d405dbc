#include "governance/identity.h"

#include <cstdlib>

#include "util/database_url.h"
#include "util/process.h"

namespace strata::governance {

const std::vector<std::string>& ActorVariables() {
  static const std::vector<std::string> vars = {
      "STRATA_ACTOR",    "GITHUB_ACTOR",      "GITLAB_USER_LOGIN", "BUILDKITE_BUILD_CREATOR",
      "CIRCLE_USERNAME", "BITBUCKET_STEP_TRIGGERER_UUID", "BUILD_REQUESTEDFOR", "DRONE_COMMIT_AUTHOR",
      "CI_ACTOR"};
  return vars;
}

Actor ResolveActor(const std::string& flag, const std::string& command) {
  Actor a;
  if (!flag.empty()) {
    a.user = flag;
    a.source = "flag";
  }
  for (const std::string& var : ActorVariables()) {
    if (!a.user.empty()) break;
    const char* v = std::getenv(var.c_str());
    if (v && *v) {
      a.user = v;
      a.source = var;
    }
  }
  if (a.user.empty()) {
    a.user = CurrentUser();
    a.source = "os";
  }
  a.host = CurrentHost();
  a.command = RedactSecrets(command);
  return a;
}

}  // namespace strata::governance
