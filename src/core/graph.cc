#include "core/graph.h"

#include <algorithm>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <queue>
#include <set>

namespace strata {
namespace {

std::unexpected<Error> InputError(const Migration& m, int line, std::string message) {
  Error e;
  e.kind = ErrorKind::kInput;
  e.file = line > 0 && !m.parents_file.empty() ? m.parents_file : m.path;
  e.line = line;
  e.migration_id = m.id;
  e.message = std::move(message);
  return std::unexpected(std::move(e));
}

}  // namespace

Result<MigrationGraph> MigrationGraph::Build(std::vector<Migration> migrations) {
  {
    // Sort an index, then move each migration once (Migration is a large value).
    std::vector<int> order(migrations.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
      const Migration& x = migrations[a];
      const Migration& y = migrations[b];
      return x.id < y.id || (x.id == y.id && x.path < y.path);
    });
    std::vector<Migration> sorted;
    sorted.reserve(migrations.size());
    for (int i : order) sorted.push_back(std::move(migrations[i]));
    migrations = std::move(sorted);
  }
  std::map<std::string, int> by_id;
  for (int i = 0; i < static_cast<int>(migrations.size()); ++i) {
    const Migration& m = migrations[i];
    auto [it, inserted] = by_id.emplace(m.id, i);
    if (!inserted) {
      return InputError(m, 0, fmt::format("duplicate migration id {}: also used by {}", m.id,
                                          migrations[it->second].path));
    }
  }
  // Default parents and parent checks.
  std::vector<std::vector<int>> parents(migrations.size());
  for (int i = 0; i < static_cast<int>(migrations.size()); ++i) {
    Migration& m = migrations[i];
    if (!m.parents_explicit) {
      m.parents.clear();
      if (i > 0) m.parents.push_back(migrations[i - 1].id);
    }
    std::set<std::string> seen;
    for (const std::string& p : m.parents) {
      if (!seen.insert(p).second) {
        return InputError(m, m.parents_line, fmt::format("parent {} is listed twice", p));
      }
      if (p == m.id) return InputError(m, m.parents_line, fmt::format("migration {} names itself as parent", m.id));
      auto it = by_id.find(p);
      if (it == by_id.end()) {
        return InputError(m, m.parents_line,
                          fmt::format("parent {} of migration {} does not exist in this service", p, m.id));
      }
      parents[i].push_back(it->second);
    }
  }
  // Kahn's algorithm, smallest id first among ready nodes.
  const int n = static_cast<int>(migrations.size());
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> children(n);
  for (int i = 0; i < n; ++i) {
    pending[i] = static_cast<int>(parents[i].size());
    for (int p : parents[i]) children[p].push_back(i);
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;  // index order == id order
  for (int i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int c : children[i]) {
      if (--pending[c] == 0) ready.push(c);
    }
  }
  if (static_cast<int>(order.size()) != n) {
    // Walk parents from an unplaced node until a node repeats: that is a cycle.
    int start = 0;
    while (pending[start] == 0) ++start;
    std::vector<int> path;
    std::map<int, int> pos;
    int cur = start;
    while (!pos.count(cur)) {
      pos[cur] = static_cast<int>(path.size());
      path.push_back(cur);
      for (int p : parents[cur]) {
        if (pending[p] != 0) { cur = p; break; }
      }
    }
    std::vector<std::string> ids;
    for (size_t k = pos[cur]; k < path.size(); ++k) ids.push_back(migrations[path[k]].id);
    std::reverse(ids.begin(), ids.end());
    ids.push_back(ids.front());
    std::string chain;
    for (size_t k = 0; k < ids.size(); ++k) chain += (k ? " -> " : "") + ids[k];
    const Migration& m = migrations[cur];
    return InputError(m, m.parents_line, fmt::format("the migration graph has a cycle: {}", chain));
  }
  MigrationGraph g;
  std::vector<int> new_index(n);
  for (int k = 0; k < n; ++k) new_index[order[k]] = k;
  g.ordered_.reserve(n);
  g.parents_.resize(n);
  for (int k = 0; k < n; ++k) {
    int old = order[k];
    g.ordered_.push_back(std::move(migrations[old]));
    for (int p : parents[old]) g.parents_[k].push_back(new_index[p]);
    g.index_.emplace(g.ordered_.back().id, k);
  }
  return g;
}

const Migration* MigrationGraph::Find(std::string_view id) const {
  int i = IndexOf(id);
  return i < 0 ? nullptr : &ordered_[i];
}

int MigrationGraph::IndexOf(std::string_view id) const {
  auto it = index_.find(std::string(id));
  return it == index_.end() ? -1 : it->second;
}

std::vector<std::string> MigrationGraph::Heads() const {
  std::vector<bool> has_child(ordered_.size(), false);
  for (const auto& ps : parents_) {
    for (int p : ps) has_child[p] = true;
  }
  std::vector<std::string> heads;
  for (size_t i = 0; i < ordered_.size(); ++i) {
    if (!has_child[i]) heads.push_back(ordered_[i].id);
  }
  return heads;
}

std::vector<std::string> MigrationGraph::AncestorsOf(std::string_view id) const {
  int start = IndexOf(id);
  if (start < 0) return {};
  std::vector<bool> seen(ordered_.size(), false);
  std::vector<int> stack{start};
  seen[start] = true;
  while (!stack.empty()) {
    int i = stack.back();
    stack.pop_back();
    for (int p : parents_[i]) {
      if (!seen[p]) { seen[p] = true; stack.push_back(p); }
    }
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < ordered_.size(); ++i) {
    if (seen[i]) out.push_back(ordered_[i].id);
  }
  return out;
}

bool MigrationGraph::IsAncestor(std::string_view ancestor, std::string_view id) const {
  int target = IndexOf(ancestor);
  int start = IndexOf(id);
  if (target < 0 || start < 0) return false;
  if (target > start) return false;  // ancestors come first in topological order
  std::vector<bool> seen(ordered_.size(), false);
  std::vector<int> stack{start};
  while (!stack.empty()) {
    int i = stack.back();
    stack.pop_back();
    if (i == target) return true;
    for (int p : parents_[i]) {
      if (!seen[p] && p >= target) { seen[p] = true; stack.push_back(p); }
    }
  }
  return false;
}

}  // namespace strata
