// strata check --base REF, for one service: what the branch adds to the base and whether it can
// land as it is. The CLI (cmd_check.cc) adds the integrity-file check and prints the report.
#pragma once

#include <string>
#include <vector>

#include "branch/branch_view.h"
#include "core/graph.h"

namespace strata::branch {

struct CheckProblem {
  // "collision", "edited", "removed", "behind", "overlap", "unparsed"
  std::string kind;
  std::string message;
  std::string file;  // the migration file or folder concerned ("" when none)
  int line = 0;
  std::string migration_id;
};

// One object both lines touch, and who touches it.
struct SharedObject {
  std::string name;
  std::vector<std::string> branch;  // labels of the branch's migrations touching it
  std::vector<std::string> base;    // labels of the base's new migrations touching it
};

struct CheckReport {
  std::vector<std::string> added;        // the branch's migrations (labels), by id
  std::vector<std::string> base_heads;
  std::vector<std::string> base_gained;  // labels of base migrations the branch does not build on
  std::vector<std::string> branch_objects;  // objects the branch's migrations touch
  std::vector<std::string> base_objects;    // objects the base's new migrations touch
  std::vector<SharedObject> shared;
  // When the branch is behind: "merge" (disjoint objects: a merge migration may join the two
  // lines) or "rebase" (shared objects, or objects that could not be read). "" when not behind.
  std::string suggestion;
  std::vector<CheckProblem> problems;
};

// `work`: the branch's migrations as loaded; `base`: the base's graph; `base_name`: the ref as
// the user wrote it (for messages).
CheckReport CheckBranch(const std::vector<Migration>& work, const MigrationGraph& base, const std::string& base_name);

}  // namespace strata::branch
