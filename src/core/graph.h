// The migration graph of one service: parents, branches, merges, heads and a deterministic
// topological order.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/migration.h"
#include "util/error.h"

namespace strata {

class MigrationGraph {
 public:
  // Builds the graph. A migration without explicit parents gets the previous id (ids sort as
  // strings) as its parent; the first has none. kInput errors, naming file and line: duplicate
  // ids (both files), a parent that does not exist, a migration that is its own parent, a cycle
  // (with its path).
  static Result<MigrationGraph> Build(std::vector<Migration> migrations);

  // All migrations in topological order; among those ready at once, the smallest id first.
  const std::vector<Migration>& ordered() const { return ordered_; }
  // nullptr when unknown.
  const Migration* Find(std::string_view id) const;
  // Position in ordered(), or -1.
  int IndexOf(std::string_view id) const;
  // Migrations no other migration names as parent, in order.
  std::vector<std::string> Heads() const;
  // Ids of `id` and all its ancestors.
  std::vector<std::string> AncestorsOf(std::string_view id) const;
  // True when `ancestor` is `id` or one of its ancestors.
  bool IsAncestor(std::string_view ancestor, std::string_view id) const;
  bool empty() const { return ordered_.empty(); }

 private:
  std::vector<Migration> ordered_;
  std::unordered_map<std::string, int> index_;
  std::vector<std::vector<int>> parents_;  // by index into ordered_
};

}  // namespace strata
