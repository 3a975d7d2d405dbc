#include "branch/branch_view.h"

#include <algorithm>
#include <functional>
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
  // Behind: some migration of the branch that no other one follows does not descend from every
  // base head (a merge migration joining the base's heads makes the branch current).
  std::map<std::string, std::set<std::string>> below;  // base ancestors of each added migration
  std::set<std::string> followed;
  for (const Migration* m : v.added) {  // ids order; parents among added come first unless explicit
    for (const std::string& p : v.parents[m->id]) followed.insert(p);
  }
  std::function<const std::set<std::string>&(const std::string&, int)> base_below =
      [&](const std::string& id, int depth) -> const std::set<std::string>& {
    auto it = below.find(id);
    if (it != below.end() || depth > 10000) return below[id];
    std::set<std::string> out;
    for (const std::string& p : v.parents[id]) {
      if (added_ids.count(p)) {
        const auto& sub = base_below(p, depth + 1);
        out.insert(sub.begin(), sub.end());
      } else {
        for (std::string& a : base.AncestorsOf(p)) out.insert(std::move(a));
      }
    }
    return below[id] = std::move(out);
  };
  for (const Migration* m : v.added) {
    if (followed.count(m->id)) continue;
    const auto& under = base_below(m->id, 0);
    for (const std::string& h : v.base_heads) {
      if (!under.count(h)) v.behind = true;
    }
  }
  std::set<std::string> gained;
  for (const std::string& r : v.roots) {
    const std::vector<std::string>& ps = v.parents[r];
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
