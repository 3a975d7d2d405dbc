// Writing migrations: the next id, the file or folder of a new migration, and changing the
// parents a migration declares. Shared by `strata new`, `strata merge` and `strata rebase`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/migration.h"
#include "util/error.h"

namespace strata {

// The id after all of `ids`: fixed-width numbers (0001, 0002…) continue as such; anything else
// gets a UTC timestamp (YYYYMMDDhhmmss), bumped until it sorts after every id. `now` is the
// Unix time to use (0: the clock).
std::string NextMigrationId(const std::vector<std::string>& ids, long long now = 0);

// "Add birthdate to Users!" -> "add_birthdate_to_users" ("" when there is no letter or digit).
std::string MigrationSlug(std::string_view name);

// Whether `id` holds only letters, digits, '.' and '-' (the loader's rule).
bool ValidMigrationId(std::string_view id);

struct NewMigration {
  std::string dir;                   // the service's migrations folder
  std::string id;
  std::string slug;
  std::string description;           // first comment line of up (and down)
  std::vector<std::string> parents;  // written when not empty
  bool folder = false;               // <id>_<slug>/ with up.sql, down.sql, strata.yaml
};

// Writes the migration and rewrites strata.sum of `dir` from the reloaded folder. When the
// folder no longer loads, the new migration is removed again and the load error returned.
// Returns the created path.
Result<std::string> WriteNewMigration(const NewMigration& m, const std::string& service);

// The text of a single-file migration with its parents set to `parents`: the
// `-- strata:parents` line is replaced (or added on top; removed when `parents` is empty).
std::string SetFileParents(std::string_view text, const std::vector<std::string>& parents);
// The same for a folder migration's strata.yaml (`parents:` in flow, plain or block form).
std::string SetYamlParents(std::string_view yaml, const std::vector<std::string>& parents);

}  // namespace strata
