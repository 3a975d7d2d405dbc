// What a branch's migrations folder adds to a base's: the migrations that are the branch's own,
// how they hang together, and where they leave the base (shared by `strata check` and
// `strata rebase`).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/graph.h"
#include "core/migration.h"

namespace strata::branch {

struct BranchView {
  // The branch's own migrations (not in the base with the same id and name), by id.
  std::vector<const Migration*> added;
  // The parents each added migration means on its branch: explicit parents as written; an
  // implicit parent is the previous added migration, or for the first one the newest base
  // migration before it in the work tree (what it followed when it was written).
  std::map<std::string, std::vector<std::string>> parents;
  // Added migrations none of whose branch parents is an added migration, by id.
  std::vector<std::string> roots;
  // Added migrations whose id the base uses for a different migration: {work, base}.
  std::vector<std::pair<const Migration*, const Migration*>> collisions;
  // Base migrations present in the work tree whose up section differs from the base's: {work, base}.
  std::vector<std::pair<const Migration*, const Migration*>> edited;
  // Base migrations (labels) that the work tree does not have.
  std::vector<const Migration*> missing;
  // The base's heads.
  std::vector<std::string> base_heads;
  // Base migrations the branch does not build on: for each root, the base migrations that are
  // not ancestors of its parents (the base gained them after the branch forked). Base order.
  std::vector<const Migration*> base_gained;
  // True when some added migration that no other added one follows does not descend from every
  // base head: the branch neither builds on the base's newest migrations nor merges them.
  bool behind = false;
};

// `work`: the branch's migrations as loaded (any order; duplicate ids allowed). `base`: the
// base's graph. The view points into both: they must outlive it.
BranchView ViewBranch(const std::vector<Migration>& work, const MigrationGraph& base);

}  // namespace strata::branch
