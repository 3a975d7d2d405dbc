// A service's migrations folder as it was at a git commit, branch or tag.
#pragma once

#include <string>

#include "util/error.h"

namespace strata {

// True when `ref` names a commit in the git repository holding `dir`.
bool IsGitRef(const std::string& dir, const std::string& ref);

// Writes the content of `migrations_dir` (an absolute folder inside a git work tree) at `ref`
// into `dest` (an existing empty folder) and returns the folder holding the migrations there.
// The folder is empty when it did not exist at `ref`. kInput when `ref` is no commit or the
// folder is not in a git work tree; kIo when git or tar fail.
Result<std::string> ExportMigrationsAtRef(const std::string& migrations_dir, const std::string& ref,
                                          const std::string& dest);

}  // namespace strata
