// Reads one service's migrations folder: single files `<id>_<name>.sql` with sections, and
// folders `<id>_<name>/` with up.sql, down.sql, verify.sql and strata.yaml.
#pragma once

#include <string>
#include <vector>

#include "core/integrity.h"
#include "core/migration.h"
#include "util/error.h"

namespace strata {

struct LoadedMigrations {
  std::vector<Migration> migrations;  // in no particular order (MigrationGraph sorts them)
  std::vector<FileContent> files;     // every file that belongs to a migration, for strata.sum
};

// Loads every migration of `dir` for `service`. Files that are neither .sql nor migration
// folders (README.md, strata.sum, dot-files) are ignored. Any malformed migration fails the
// whole load with kInput naming the file and line; an unreadable file fails with kIo.
Result<LoadedMigrations> LoadMigrations(const std::string& dir, const std::string& service);

// Parses one single-file migration from its text (exposed for tests and `strata lint`).
// `file_name` is the name used in errors; its base name gives the id and name.
Result<Migration> ParseMigrationFile(const std::string& file_name, std::string_view text);

}  // namespace strata
