// strata rebase: moves a branch's own migrations on top of the base's heads — new ids after the
// base's newest (slugs kept), parents re-linked, strata.sum rewritten — for single-file and
// folder migrations alike. Planned first (PlanRebase), proven on a copy of the folder, then
// carried out (ApplyRebase); nothing is changed when the plan or the proof fails.
#pragma once

#include <string>
#include <vector>

#include "core/graph.h"
#include "core/migration.h"
#include "util/error.h"

namespace strata::branch {

struct RebaseMove {
  std::string old_id, new_id, name;
  std::string old_path, new_path;    // the file or folder, before and after
  std::vector<std::string> parents;  // the new parents
  bool explicit_parents = false;     // written as `-- strata:parents` / strata.yaml parents
  bool folder = false;
};

struct RebasePlan {
  std::vector<RebaseMove> moves;   // in graph order; empty when the branch is on top already
  std::vector<std::string> onto;   // the base's heads
  std::string sum;                 // the strata.sum text after the moves
};

// Plans the moves of the branch's migrations in `work` (as loaded from `dir`) onto `base`.
// kInput when the base's migrations are not all in the work tree (merge the base first) or when
// the result would not load. `now`: Unix time for timestamp ids (0: the clock).
Result<RebasePlan> PlanRebase(const std::string& dir, const std::string& service, const std::vector<Migration>& work,
                              const MigrationGraph& base, const std::string& base_name, long long now = 0);

// Carries out the moves in `dir` and writes strata.sum.
Result<void> ApplyRebase(const std::string& dir, const RebasePlan& plan);

}  // namespace strata::branch
