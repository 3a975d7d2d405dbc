#include "branch/rebase.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <set>
#include <unistd.h>

#include "branch/branch_view.h"
#include "branch/git_snapshot.h"
#include "core/integrity.h"
#include "project/migration_loader.h"
#include "project/migration_writer.h"
#include "util/files.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata::branch {
namespace {

// Performs the moves in `dir` (a real migrations folder or a scratch copy of one).
Result<void> Move(const std::string& dir, const std::vector<RebaseMove>& moves) {
  std::error_code ec;
  for (const RebaseMove& mv : moves) {
    fs::path from = fs::path(dir) / fs::path(mv.old_path).filename();
    fs::path to = fs::path(dir) / fs::path(mv.new_path).filename();
    if (fs::exists(to, ec)) return MakeErrorAt(ErrorKind::kInput, to.string(), 0, "already exists");
    if (mv.folder) {
      fs::path yaml = from / "strata.yaml";
      bool has_yaml = fs::exists(yaml, ec);
      if (mv.explicit_parents || has_yaml) {
        std::string text;
        if (has_yaml) {
          ASSIGN_OR_RETURN(text, ReadFile(yaml));
        }
        std::string updated = mv.explicit_parents ? SetYamlParents(text, mv.parents) : SetYamlParents(text, {});
        if (updated != text) TRY_VOID(WriteFileAtomic(yaml, updated));
      }
      fs::rename(from, to, ec);
      if (ec) return MakeErrorAt(ErrorKind::kIo, from.string(), 0, "cannot rename to " + to.string() + ": " + ec.message());
    } else {
      ASSIGN_OR_RETURN(std::string text, ReadFile(from));
      std::string updated = SetFileParents(text, mv.explicit_parents ? mv.parents : std::vector<std::string>{});
      TRY_VOID(WriteFileAtomic(to, updated));
      fs::remove(from, ec);
      if (ec) return MakeErrorAt(ErrorKind::kIo, from.string(), 0, "cannot remove: " + ec.message());
    }
  }
  return {};
}

}  // namespace

Result<RebasePlan> PlanRebase(const std::string& dir, const std::string& service, const std::vector<Migration>& work,
                              const MigrationGraph& base, const std::string& base_name, long long now) {
  BranchView v = ViewBranch(work, base);
  RebasePlan plan;
  plan.onto = v.base_heads;
  if (!v.missing.empty()) {
    std::vector<std::string> labels;
    for (const Migration* m : v.missing) labels.push_back(m->Label());
    return MakeErrorAt(ErrorKind::kInput, dir, 0,
                       fmt::format("{}'s migrations {} are not in this working tree: bring them in first with `git merge {}` "
                                   "(or `git rebase {}`; a conflict in strata.sum is expected, strata rebase rewrites it)",
                                   base_name, Join(labels, ", "), base_name, base_name));
  }
  std::string max_base;
  for (const Migration& b : base.ordered()) max_base = std::max(max_base, b.id);
  bool on_top = !v.behind && v.collisions.empty() &&
                std::all_of(v.added.begin(), v.added.end(), [&](const Migration* m) { return m->id > max_base; });
  std::vector<RebaseMove> moves;
  if (!on_top) {
    // Graph order of the added migrations along their branch parents (smallest id first).
    std::set<std::string> added_ids;
    for (const Migration* m : v.added) added_ids.insert(m->id);
    std::vector<const Migration*> order;
    std::set<std::string> done;
    while (order.size() < v.added.size()) {
      bool progress = false;
      for (const Migration* m : v.added) {
        if (done.count(m->id)) continue;
        const auto& ps = v.parents[m->id];
        if (std::all_of(ps.begin(), ps.end(), [&](const std::string& p) { return !added_ids.count(p) || done.count(p); })) {
          order.push_back(m);
          done.insert(m->id);
          progress = true;
          break;
        }
      }
      if (!progress) {
        return MakeErrorAt(ErrorKind::kInput, dir, 0, "the branch's migrations name each other as parents in a cycle");
      }
    }
    std::vector<std::string> taken;
    for (const Migration& m : work) taken.push_back(m.id);
    for (const Migration& b : base.ordered()) taken.push_back(b.id);
    std::map<std::string, std::string> renamed;
    for (const Migration* m : order) {
      std::string id = NextMigrationId(taken, now);
      taken.push_back(id);
      renamed[m->id] = id;
      RebaseMove mv;
      mv.old_id = m->id;
      mv.new_id = id;
      mv.name = m->name;
      mv.old_path = m->path;
      mv.folder = m->path == m->up.file ? false : true;
      mv.new_path = (fs::path(m->path).parent_path() / (id + "_" + m->name + (mv.folder ? "" : ".sql"))).string();
      for (const std::string& p : v.parents[m->id]) {
        if (renamed.count(p)) mv.parents.push_back(renamed[p]);
      }
      if (mv.parents.empty()) mv.parents = v.base_heads;
      moves.push_back(std::move(mv));
    }
    // Implicit parents stay implicit where "the previous id" gives the same parent.
    std::set<const Migration*> added_set(v.added.begin(), v.added.end());
    std::set<std::string> final_ids;
    for (const Migration& m : work) {
      if (!added_set.count(&m)) final_ids.insert(m.id);
    }
    for (const auto& mv : moves) final_ids.insert(mv.new_id);
    for (RebaseMove& mv : moves) {
      const Migration* m = nullptr;
      for (const Migration* a : v.added) {
        if (a->id == mv.old_id && a->path == mv.old_path) m = a;
      }
      auto it = final_ids.find(mv.new_id);
      std::vector<std::string> implicit;
      if (it != final_ids.begin()) implicit = {*std::prev(it)};
      mv.explicit_parents = m->parents_explicit || mv.parents != implicit;
    }
  }
  // Prove the plan on a scratch copy: it must load, build a graph, and sit on the base's heads.
  ASSIGN_OR_RETURN(std::string scratch, MakeScratchDir("strata-rebase-"));
  struct Cleanup {
    std::string path;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } cleanup{scratch};
  std::string copy = scratch + "/m";
  std::error_code ec;
  fs::copy(dir, copy, fs::copy_options::recursive, ec);
  if (ec) return MakeErrorAt(ErrorKind::kIo, dir, 0, "cannot copy the folder to try the rebase: " + ec.message());
  TRY_VOID(Move(copy, moves));
  auto relabel = [&](Error e) {
    for (std::string* s : {&e.file, &e.message}) {
      for (size_t pos; (pos = s->find(copy)) != std::string::npos;) s->replace(pos, copy.size(), dir);
    }
    e.message = "after the rebase: " + e.message;
    return e;
  };
  auto loaded = LoadMigrations(copy, service);
  if (!loaded) return std::unexpected(relabel(loaded.error()));
  std::vector<FileContent> files = loaded->files;
  auto graph = MigrationGraph::Build(std::move(loaded->migrations));
  if (!graph) return std::unexpected(relabel(graph.error()));
  for (const RebaseMove& mv : moves) {
    for (const std::string& h : v.base_heads) {
      if (!graph->IsAncestor(h, mv.new_id)) {
        return MakeErrorAt(ErrorKind::kInput, mv.old_path, 0,
                           fmt::format("after the rebase {} would not follow {}'s head {}", mv.new_id, base_name, h));
      }
    }
  }
  plan.sum = IntegrityFile::Compute(std::move(files)).Render();
  plan.moves = std::move(moves);
  return plan;
}

Result<void> ApplyRebase(const std::string& dir, const RebasePlan& plan) {
  TRY_VOID(Move(dir, plan.moves));
  return WriteFileAtomic(fs::path(dir) / "strata.sum", plan.sum);
}

}  // namespace strata::branch
