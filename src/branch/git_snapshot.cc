#include "branch/git_snapshot.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <unistd.h>

#include "util/process.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace strata::branch {
namespace {

Result<ProcessResult> Git(const std::string& cwd, std::vector<std::string> args) {
  args.insert(args.begin(), "git");
  ProcessOptions opt;
  opt.cwd = cwd;
  opt.timeout = std::chrono::seconds(120);
  opt.env.push_back({"GIT_TERMINAL_PROMPT", "0"});
  opt.env.push_back({"LC_ALL", "C"});
  auto r = RunProcess(args, opt);
  if (!r) return MakeError(ErrorKind::kUsage, "cannot run git (is it installed?): " + r.error().message);
  return r;
}

std::string FirstLine(const std::string& s) {
  auto lines = SplitLines(s);
  return lines.empty() ? "" : std::string(Trim(lines.front()));
}

}  // namespace

Result<std::string> MakeScratchDir(const std::string& prefix) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::vector<std::string> roots;
  if (tmpdir && *tmpdir) roots.push_back(tmpdir);
  else if (::access("/dev/shm", W_OK | X_OK) == 0) roots.push_back("/dev/shm");
  roots.push_back("/tmp");
  for (const std::string& root : roots) {
    std::string tmpl = root + "/" + prefix + "XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) return tmpl;
  }
  return MakeError(ErrorKind::kIo, fmt::format("cannot create a temporary folder in {}: {}", roots.front(), std::strerror(errno)));
}

Result<std::string> GitSnapshot::WorkTreeOf(const std::string& folder) {
  ASSIGN_OR_RETURN(ProcessResult r, Git(folder, {"rev-parse", "--show-toplevel"}));
  if (r.exit_code != 0) {
    return MakeErrorAt(ErrorKind::kUsage, folder, 0, "not inside a git work tree (" + FirstLine(r.output) + ")");
  }
  return FirstLine(r.output);
}

Result<std::string> GitSnapshot::ResolveCommit(const std::string& folder, const std::string& ref) {
  if (ref.empty() || ref.starts_with("-")) return MakeError(ErrorKind::kUsage, fmt::format("'{}' is not a git ref", ref));
  ASSIGN_OR_RETURN(ProcessResult r, Git(folder, {"rev-parse", "--verify", "--quiet", ref + "^{commit}"}));
  if (r.exit_code != 0) {
    return MakeError(ErrorKind::kUsage,
                     fmt::format("git does not know '{}' here (fetch it first, e.g. `git fetch origin main`)", ref));
  }
  return FirstLine(r.output);
}

Result<std::string> GitSnapshot::DefaultBase(const std::string& folder) {
  ASSIGN_OR_RETURN(ProcessResult up, Git(folder, {"rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"}));
  if (up.exit_code == 0 && !FirstLine(up.output).empty()) return FirstLine(up.output);
  for (const char* name : {"main", "master"}) {
    ASSIGN_OR_RETURN(ProcessResult r, Git(folder, {"rev-parse", "--verify", "--quiet", std::string(name) + "^{commit}"}));
    if (r.exit_code == 0) return std::string(name);
  }
  return MakeError(ErrorKind::kUsage, "no base to compare with: the branch has no upstream and there is no main or master "
                                      "branch; name one (e.g. --base origin/main)");
}

Result<std::optional<std::string>> GitSnapshot::ReadFile(const std::string& folder, const std::string& ref,
                                                         const std::string& file) {
  ASSIGN_OR_RETURN(std::string top, WorkTreeOf(folder));
  ASSIGN_OR_RETURN(std::string commit, ResolveCommit(folder, ref));
  std::error_code ec;
  std::string rel = fs::relative(fs::weakly_canonical(file, ec), fs::canonical(top, ec), ec).generic_string();
  if (ec || rel.empty() || rel.starts_with("..")) return MakeErrorAt(ErrorKind::kUsage, file, 0, "is outside the git work tree " + top);
  ASSIGN_OR_RETURN(ProcessResult r, Git(top, {"cat-file", "blob", commit + ":" + rel}));
  if (r.exit_code != 0) return std::optional<std::string>();
  return std::optional<std::string>(std::move(r.output));
}

Result<std::unique_ptr<GitSnapshot>> GitSnapshot::Extract(const std::string& folder, const std::string& ref) {
  // git runs in the nearest existing folder: the branch may have moved `folder` away.
  fs::path existing = fs::absolute(folder);
  while (!fs::is_directory(existing) && existing.has_parent_path() && existing.parent_path() != existing) {
    existing = existing.parent_path();
  }
  ASSIGN_OR_RETURN(std::string top, WorkTreeOf(existing.string()));
  ASSIGN_OR_RETURN(std::string commit, ResolveCommit(existing.string(), ref));
  std::error_code ec;
  std::string rel = fs::relative(fs::weakly_canonical(folder, ec), fs::canonical(top, ec), ec).generic_string();
  if (ec || rel.starts_with("..")) return MakeErrorAt(ErrorKind::kUsage, folder, 0, "is outside the git work tree " + top);
  if (rel == ".") rel = "";
  std::unique_ptr<GitSnapshot> snap(new GitSnapshot());
  snap->label_ = rel.empty() ? ref + ":" : ref + ":" + rel;
  ASSIGN_OR_RETURN(std::string tmpl, MakeScratchDir("strata-git-"));
  snap->temp_ = tmpl;
  snap->path_ = rel.empty() ? tmpl : tmpl + "/" + rel;
  // Does the folder exist at that commit?
  ASSIGN_OR_RETURN(ProcessResult ls, Git(top, {"ls-tree", "--name-only", commit, "--", rel.empty() ? "." : rel}));
  if (ls.exit_code != 0) return MakeError(ErrorKind::kUsage, fmt::format("git ls-tree {} failed: {}", ref, FirstLine(ls.output)));
  if (Trim(ls.output).empty()) {
    snap->exists_ = false;
    fs::create_directories(snap->path_, ec);
    return snap;
  }
  std::string tar = tmpl + "/.tree.tar";
  std::vector<std::string> archive{"archive", "--format=tar", "--output=" + tar, commit};
  if (!rel.empty()) archive.push_back(rel);
  ASSIGN_OR_RETURN(ProcessResult a, Git(top, archive));
  if (a.exit_code != 0) return MakeError(ErrorKind::kUsage, fmt::format("git archive {} failed: {}", ref, FirstLine(a.output)));
  ProcessOptions opt;
  opt.timeout = std::chrono::seconds(120);
  auto x = RunProcess({"tar", "-xf", tar, "-C", tmpl}, opt);
  if (!x || x->exit_code != 0) {
    return MakeError(ErrorKind::kIo, "cannot unpack the files of " + ref + ": " + (x ? FirstLine(x->output) : x.error().message));
  }
  fs::remove(tar, ec);
  snap->exists_ = fs::is_directory(snap->path_, ec);
  if (!snap->exists_) fs::create_directories(snap->path_, ec);
  return snap;
}

GitSnapshot::~GitSnapshot() {
  std::error_code ec;
  if (!temp_.empty()) fs::remove_all(temp_, ec);
}

std::string GitSnapshot::Relabel(std::string text) const {
  if (path_.empty()) return text;
  for (size_t pos; (pos = text.find(path_)) != std::string::npos;) text.replace(pos, path_.size(), label_);
  return text;
}

Error GitSnapshot::Relabel(Error e) const {
  e.file = Relabel(std::move(e.file));
  e.message = Relabel(std::move(e.message));
  return e;
}

}  // namespace strata::branch
