#include "branch/branch_check.h"

#include <fmt/format.h>
#include <map>
#include <set>

#include "branch/touched_objects.h"
#include "util/text.h"

namespace strata::branch {
namespace {

struct Side {
  std::map<std::string, std::pair<bool, std::vector<std::string>>> objects;  // name -> changes, labels
  std::vector<std::string> unparsed;
};

void Collect(const Migration& m, Side& side) {
  MigrationObjects o = TouchedObjects(m);
  if (!o.unparsed.empty()) side.unparsed.push_back(o.unparsed);
  for (const TouchedObject& t : o.objects) {
    auto& [changes, labels] = side.objects[t.name];
    changes = changes || t.changes;
    labels.push_back(m.Label());
  }
}

std::vector<std::string> Names(const Side& s) {
  std::vector<std::string> out;
  for (const auto& [name, v] : s.objects) out.push_back(v.first ? name : name + " (read)");
  return out;
}

// Why joining the two lines with a merge migration would not work as the files stand ("" when
// it would): the files of both lines together must build a graph in which every base migration
// keeps the parents it has in the base (implicit parents follow the previous id, so a branch
// migration with an older id would slip under the base's newer ones).
std::string MergeBlocker(const BranchView& v, const MigrationGraph& base, const std::string& base_name, size_t& heads) {
  std::vector<Migration> joined;
  for (const Migration& b : base.ordered()) {
    Migration copy = b;
    if (!copy.parents_explicit) copy.parents.clear();
    joined.push_back(std::move(copy));
  }
  for (const Migration* m : v.added) {
    Migration copy = *m;
    if (!copy.parents_explicit) copy.parents.clear();
    joined.push_back(std::move(copy));
  }
  auto g = MigrationGraph::Build(std::move(joined));
  if (!g) return "the two lines' files do not form a graph together: " + g.error().message;
  heads = g->Heads().size();
  for (const Migration& b : base.ordered()) {
    const Migration* after = g->Find(b.id);
    if (after != nullptr && after->parents != b.parents) {
      return fmt::format("after `git merge {}` its {} would follow {} instead of {} (an implicit parent is the previous id): "
                         "a merge migration cannot join them as the files stand",
                         base_name, b.Label(), Join(after->parents, ", "), b.parents.empty() ? "nothing" : Join(b.parents, ", "));
    }
  }
  return "";
}

}  // namespace

CheckReport CheckBranch(const std::vector<Migration>& work, const MigrationGraph& base, const std::string& base_name) {
  BranchView v = ViewBranch(work, base);
  CheckReport r;
  r.base_heads = v.base_heads;
  for (const Migration* m : v.added) r.added.push_back(m->Label());
  for (const Migration* m : v.base_gained) r.base_gained.push_back(m->Label());
  auto add = [&](std::string kind, std::string message, const Migration* m) {
    CheckProblem p{std::move(kind), std::move(message), "", 0, ""};
    if (m != nullptr) {
      p.file = m->path;
      p.migration_id = m->id;
    }
    r.problems.push_back(std::move(p));
  };
  for (const auto& [w, b] : v.collisions) {
    add("collision",
        fmt::format("id {} is {} on this branch but {} on {}: ids must be unique; give this branch's migration a new "
                    "id with `strata rebase --onto {}`", w->id, w->Label(), b->Label(), base_name, base_name),
        w);
  }
  for (const auto& [w, b] : v.edited) {
    add("edited",
        fmt::format("{} differs from {}'s copy (its up section was edited): a merged migration may already be applied; "
                    "revert the edit and add a new migration instead", w->Label(), base_name),
        w);
  }
  std::set<std::string> gained;
  for (const Migration* m : v.base_gained) gained.insert(m->id);
  for (const Migration* m : v.missing) {
    if (gained.count(m->id)) continue;  // not merged in yet: that is "behind", not a deletion
    add("removed", fmt::format("{} is in {} but not on this branch: merged migrations must not be deleted", m->Label(), base_name),
        nullptr);
  }
  Side branch_side, base_side;
  for (const Migration* m : v.added) Collect(*m, branch_side);
  for (const Migration* m : v.base_gained) Collect(*m, base_side);
  r.branch_objects = Names(branch_side);
  r.base_objects = Names(base_side);
  for (const auto& [name, bv] : branch_side.objects) {
    auto it = base_side.objects.find(name);
    if (it == base_side.objects.end() || !(bv.first || it->second.first)) continue;
    r.shared.push_back(SharedObject{name, bv.second, it->second.second});
  }
  // Objects both lines touch matter even when the branch already merged the base's heads.
  for (const SharedObject& s : r.shared) {
    add("overlap",
        fmt::format("{} is touched on both lines: by {} on this branch and by {} on {}; rebase and test again", s.name,
                    Join(s.branch, ", "), Join(s.base, ", "), base_name),
        nullptr);
  }
  if (!v.behind) return r;

  std::string heads = v.base_heads.empty() ? "none" : Join(v.base_heads, ", ");
  bool unknown = !branch_side.unparsed.empty() || !base_side.unparsed.empty();
  r.suggestion = r.shared.empty() && !unknown && !v.base_gained.empty() ? "merge" : "rebase";
  size_t joined_heads = 0;
  std::string merge_blocker = r.suggestion == "merge" ? MergeBlocker(v, base, base_name, joined_heads) : "";
  if (!merge_blocker.empty()) r.suggestion = "rebase";
  std::string advice;
  if (r.suggestion == "merge") {
    bool reorders = !v.added.empty() && !v.base_gained.empty() && v.added.front()->id < v.base_gained.back()->id;
    if (joined_heads > 1) {
      advice = fmt::format(
          "the two lines touch disjoint objects, so instead of a rebase they may be joined with a merge migration: "
          "`git merge {0}`, then `strata merge`{1}; or rebase: `strata rebase --onto {0}`",
          base_name,
          reorders ? " (targets that already have the base's migrations then apply this branch's out of order: "
                     "`strata apply --allow-out-of-order`)"
                   : "");
    } else {
      advice = fmt::format(
          "the two lines touch disjoint objects and this branch's migrations sort after the base's: `git merge {0}` "
          "joins them with neither a rebase nor a merge migration (or `strata rebase --onto {0}`)",
          base_name);
    }
  } else {
    advice = fmt::format("rebase: `git merge {0}` (or `git rebase {0}`), then `strata rebase --onto {0}`, and test again{1}",
                         base_name, merge_blocker.empty() ? "" : " (the lines touch disjoint objects, but " + merge_blocker + ")");
  }
  for (const std::string& root : v.roots) {
    const Migration* m = nullptr;
    for (const Migration* a : v.added) {
      if (a->id == root) m = a;
    }
    const auto& ps = v.parents[root];
    std::set<std::string> pset(ps.begin(), ps.end()), hset(v.base_heads.begin(), v.base_heads.end());
    if (pset == hset) continue;
    add("behind",
        fmt::format("{} follows {} but {}'s head{} {}: the branch is behind {}{}; {}", m->Label(),
                    ps.empty() ? "nothing" : Join(ps, ", "), base_name, v.base_heads.size() == 1 ? " is" : "s are", heads,
                    base_name,
                    r.base_gained.empty() ? "" : fmt::format(" (it gained {})", Join(r.base_gained, ", ")), advice),
        m);
  }
  for (const std::string& u : branch_side.unparsed) {
    add("unparsed", "cannot tell which objects this migration touches (" + u + "); assuming they overlap", nullptr);
  }
  for (const std::string& u : base_side.unparsed) {
    add("unparsed", fmt::format("cannot tell which objects {}'s migration touches ({}); assuming they overlap", base_name, u),
        nullptr);
  }
  return r;
}

}  // namespace strata::branch
