// Health gates between rollout stages (HealthGateSpec in project/project_config.h):
//  - sql:     runs on every target of the stage just done (in parallel, `parallelism` sessions);
//             passes when the first column of the first row is true on each;
//  - command: `sh -c COMMAND` in the project folder with STRATA_ROLLOUT_ID, STRATA_ENV,
//             STRATA_STAGE and STRATA_TARGETS (comma-separated names) in its environment;
//             passes on exit 0;
//  - http:    GET (${VARS} expanded); passes on a 2xx answer.
// Each has the gate's timeout (a command is killed when it expires). The result's detail never
// holds a password (RedactSecrets).
#pragma once

#include <string>
#include <vector>

#include "project/project_config.h"

namespace strata::rollout {

struct GateContext {
  long long rollout_id = 0;
  std::string env;
  std::string stage;
  std::string project_root;
  std::vector<ResolvedTarget> targets;  // the stage's targets (for sql gates)
  int parallelism = 4;
};

struct GateResult {
  bool passed = false;
  std::string detail;  // why it failed (or a short note when it passed)
  long long duration_ms = 0;
};

GateResult RunGate(const HealthGateSpec& gate, const GateContext& ctx);

}  // namespace strata::rollout
