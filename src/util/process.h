// Running other programs (initdb, pg_ctl, git, health-gate commands) without a shell.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/error.h"

namespace strata {

struct ProcessOptions {
  std::string cwd;                                          // empty: inherit
  std::optional<std::string> run_as_user;                   // switch user (needs root)
  std::vector<std::pair<std::string, std::string>> env;     // added to / overriding the environment
  std::chrono::milliseconds timeout{0};                     // 0: no limit; on expiry the child is killed
};

struct ProcessResult {
  int exit_code = 0;   // 128+signal when killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (looked up in PATH) with the arguments. Fails only when the program cannot be
// started or timed out; a non-zero exit is reported in ProcessResult::exit_code.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// The user name and host name strata records as "who" in history and audit.
std::string CurrentUser();
std::string CurrentHost();

}  // namespace strata
