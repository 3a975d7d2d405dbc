// A folder of a git repository as it is at some commit, read with the git command-line tool
// (`git archive` of that folder, unpacked into a temporary folder) so that the migration loader
// reads it like any other folder. No libgit2.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "util/error.h"

namespace strata::branch {

// A new empty temporary folder named <prefix>XXXXXX for scratch files: in $TMPDIR when set,
// else in /dev/shm when it is a writable folder (a tmpfs: creating a thousand small files there
// costs milliseconds, on a loaded disk-backed /tmp up to a second), else in /tmp. kIo on failure.
Result<std::string> MakeScratchDir(const std::string& prefix);

class GitSnapshot {
 public:
  // The git work tree holding `folder` (an existing folder). kUsage when it is not in one, or
  // when git is not installed.
  static Result<std::string> WorkTreeOf(const std::string& folder);

  // The commit `ref` names in the repository of `folder`. kUsage naming the ref when git does
  // not know it.
  static Result<std::string> ResolveCommit(const std::string& folder, const std::string& ref);

  // The base to compare a branch with when none is given: the current branch's upstream, else
  // `main`, else `master`. kUsage when none exists.
  static Result<std::string> DefaultBase(const std::string& folder);

  // The text of `file` (a path inside the work tree of `folder`, an existing folder) as it is
  // at `ref`; nullopt when the file did not exist there. kUsage for an unknown ref.
  static Result<std::optional<std::string>> ReadFile(const std::string& folder, const std::string& ref,
                                                     const std::string& file);

  // `folder` (inside the work tree; it need not exist there any more) as it is at `ref`. The snapshot's path() then holds its
  // files; exists() is false when the folder did not exist at `ref`. The temporary folder is
  // deleted with the object.
  static Result<std::unique_ptr<GitSnapshot>> Extract(const std::string& folder, const std::string& ref);

  ~GitSnapshot();
  GitSnapshot(const GitSnapshot&) = delete;
  GitSnapshot& operator=(const GitSnapshot&) = delete;

  const std::string& path() const { return path_; }
  bool exists() const { return exists_; }
  // "REF:relative/folder", for messages about the snapshot's files.
  const std::string& label() const { return label_; }
  // Replaces the temporary path in `e` (file and message) with label(), so errors name the ref.
  Error Relabel(Error e) const;
  // The same for a message or a path.
  std::string Relabel(std::string text) const;

 private:
  GitSnapshot() = default;
  std::string temp_;   // the temporary folder (deleted on destruction)
  std::string path_;   // temp_/<relative folder>
  std::string label_;
  bool exists_ = false;
};

}  // namespace strata::branch
