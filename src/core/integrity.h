// strata.sum: the integrity file of one service's migrations folder.
//
//   h1:<base64 total>
//   0001_create_users.sql h1:<base64 sha256 of the file>
//   0002_add_email/up.sql h1:<…>
//
// Entries are sorted by path. The total is a hash chain over the entries (each link hashes the
// previous link, the path and the file's hash), so a change to any file, or two branches that
// each add a migration, change the first line and the end of the file: git reports a conflict
// instead of merging two histories silently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace strata {

struct SumEntry {
  std::string path;  // relative to the migrations folder, '/' separated
  std::string hash;  // "h1:" + base64 sha256 of the file bytes
  int line = 0;      // line in strata.sum (parsed files only)
};

struct FileContent {
  std::string path;     // relative, '/' separated
  std::string content;  // bytes
};

class IntegrityFile {
 public:
  // From the migration files as they are now (any order).
  static IntegrityFile Compute(std::vector<FileContent> files);
  // From the text of a strata.sum; kInput naming `file_name` and the line for malformed lines.
  static Result<IntegrityFile> Parse(std::string_view text, const std::string& file_name);

  std::string Render() const;
  const std::string& total() const { return total_; }
  const std::vector<SumEntry>& entries() const { return entries_; }

 private:
  std::string total_;
  std::vector<SumEntry> entries_;
};

struct IntegrityProblem {
  std::string path;     // the migration file concerned ("" for the total)
  std::string problem;  // "changed", "added", "removed", "total does not match its entries"
  int line = 0;         // line in strata.sum, when it has one
};

// What differs between the recorded file and the folder as it is now.
std::vector<IntegrityProblem> CompareIntegrity(const IntegrityFile& recorded, const IntegrityFile& actual);

}  // namespace strata
