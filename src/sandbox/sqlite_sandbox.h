// A throwaway SQLite sandbox: database files in a temporary folder (mkdtemp under $TMPDIR or
// /tmp). A small state file (in the project's .strata folder) remembers that folder so that
// later runs of `strata sandbox url|down` find the same databases.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace strata {

class SqliteSandbox {
 public:
  // The sandbox recorded in `state_file`, created (temporary folder plus state file) when there
  // is none or its folder is gone and `create` is set. std::nullopt when there is none and
  // `create` is not set. kIo when the folder or the state file cannot be made.
  static Result<std::optional<SqliteSandbox>> Open(const std::string& state_file, bool create);

  const std::string& dir() const { return dir_; }
  // sqlite:<dir>/<name>.db. kUsage unless `name` is letters, digits and '_'.
  Result<std::string> Url(std::string_view name) const;
  // Creates <name>.db (an empty SQLite database) when missing; returns its URL.
  Result<std::string> CreateDatabase(std::string_view name) const;
  // Deletes the folder with its databases, and the state file.
  Result<void> Remove() const;

 private:
  std::string state_file_;
  std::string dir_;
};

}  // namespace strata
