#include "testkit/git_export.h"

#include <filesystem>

#include <fmt/format.h>

#include "util/process.h"

namespace fs = std::filesystem;

namespace strata {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The nearest existing folder at or above `dir` (git needs a folder that exists now).
std::string ExistingFolder(fs::path dir) {
  std::error_code ec;
  while (!dir.empty() && !fs::is_directory(dir, ec)) dir = dir.parent_path();
  return dir.empty() ? "." : dir.string();
}

}  // namespace

bool IsGitRef(const std::string& dir, const std::string& ref) {
  if (ref.empty() || ref[0] == '-') return false;
  auto r = RunProcess({"git", "-C", ExistingFolder(dir), "rev-parse", "--verify", "--quiet", ref + "^{commit}"});
  return r && r->exit_code == 0;
}

Result<std::string> ExportMigrationsAtRef(const std::string& migrations_dir, const std::string& ref,
                                          const std::string& dest) {
  const std::string cwd = ExistingFolder(migrations_dir);
  ASSIGN_OR_RETURN(ProcessResult top, RunProcess({"git", "-C", cwd, "rev-parse", "--show-toplevel"}));
  if (top.exit_code != 0) {
    return MakeError(ErrorKind::kInput, fmt::format("{} is not inside a git work tree: {}", migrations_dir, Trim(top.output)));
  }
  if (!IsGitRef(cwd, ref)) return MakeError(ErrorKind::kInput, fmt::format("'{}' is not a git commit, branch or tag", ref));
  const fs::path root = fs::weakly_canonical(Trim(top.output));
  const fs::path rel = fs::weakly_canonical(migrations_dir).lexically_relative(root);
  if (rel.empty() || rel.native().starts_with("..")) {
    return MakeError(ErrorKind::kInput, fmt::format("{} is outside the git work tree {}", migrations_dir, root.string()));
  }
  const fs::path out = fs::path(dest) / rel;
  std::error_code ec;
  fs::create_directories(out, ec);
  // Does the folder exist at that commit? (An empty tree is a valid answer: no migrations yet.)
  ASSIGN_OR_RETURN(ProcessResult exists, RunProcess({"git", "-C", root.string(), "cat-file", "-e",
                                                     fmt::format("{}:{}", ref, rel.generic_string())}));
  if (exists.exit_code != 0) return out.string();
  const std::string tar = (fs::path(dest) / ".export.tar").string();
  ASSIGN_OR_RETURN(ProcessResult archive, RunProcess({"git", "-C", root.string(), "archive", "--format=tar", "-o", tar,
                                                      ref, "--", rel.generic_string()}));
  if (archive.exit_code != 0) {
    return MakeError(ErrorKind::kIo, fmt::format("git archive {} -- {}: {}", ref, rel.generic_string(), Trim(archive.output)));
  }
  ASSIGN_OR_RETURN(ProcessResult untar, RunProcess({"tar", "-xf", tar, "-C", dest}));
  fs::remove(tar, ec);
  if (untar.exit_code != 0) return MakeError(ErrorKind::kIo, "tar: " + Trim(untar.output));
  return out.string();
}

}  // namespace strata
