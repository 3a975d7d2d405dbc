#include "branch/branch_view.h"

#include <algorithm>
#include <set>

namespace strata::branch {

BranchView ViewBranch(const std::vector<Migration>& work, const MigrationGraph& base) {
  BranchView v;
  v.base_heads = base.Heads();
  std::vector<const Migration*> sorted;
  for (const Migration& m : work) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(), [](const Migration* a, const Migration* b) {
    return a->id != b->id ? a->id < b->id : a->name < b->name;
  });
  std::set<std::string> base_labels_present;
  std::vector<const Migration*> work_base;  // base migrations in the work tree, by id
  for (const Migration* m : sorted) {
    const Migration* b = base.Find(m->id);
    if (b != nullptr && b->name == m->name) {
      base_labels_present.insert(b->Label());
      work_base.push_back(m);
      if (b->checksum != m->checksum) v.edited.push_back({m, b});
      continue;
    }
    v.added.push_back(m);
    if (b != nullptr) v.collisions.push_back({m, b});
  }
  for (const Migration& b : base.ordered()) {
    if (!base_labels_present.count(b.Label())) v.missing.push_back(&b);
  }
  std::set<std::string> added_ids;
  for (const Migration* m : v.added) added_ids.insert(m->id);
  const Migration* previous_added = nullptr;
  for (const Migration* m : v.added) {
    std::vector<std::string> parents;
    if (m->parents_explicit) {
      parents = m->parents;
    } else if (previous_added != nullptr) {
      parents = {previous_added->id};
    } else {
      const Migration* before = nullptr;
      for (const Migration* b : work_base) {
        if (b->id < m->id) before = b;
      }
      if (before != nullptr) parents = {before->id};
    }
    v.parents[m->id] = parents;
    bool root = std::none_of(parents.begin(), parents.end(), [&](const std::string& p) { return added_ids.count(p) > 0; });
    if (root) v.roots.push_back(m->id);
    previous_added = m;
  }
  std::set<std::string> heads(v.base_heads.begin(), v.base_heads.end());
  std::set<std::string> gained;
  for (const std::string& r : v.roots) {
    const std::vector<std::string>& ps = v.parents[r];
    std::set<std::string> pset(ps.begin(), ps.end());
    if (pset != heads) v.behind = true;
    std::set<std::string> under;
    for (const std::string& p : ps) {
      for (std::string& a : base.AncestorsOf(p)) under.insert(std::move(a));
    }
    for (const Migration& b : base.ordered()) {
      if (!under.count(b.id)) gained.insert(b.id);
    }
  }
  for (const Migration& b : base.ordered()) {
    if (gained.count(b.id)) v.base_gained.push_back(&b);
  }
  return v;
}

}  // namespace strata::branch
