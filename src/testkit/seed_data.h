// Seed data of a service for `strata test`: the files of its seeds folder (by convention
// <migrations>/../seeds), run in name order.
//
//  - NAME.sql: a SQL script.
//  - [SCHEMA.]TABLE.csv: rows for that table; the first line names the columns; an empty
//    unquoted field is NULL; RFC 4180 quoting.
//  - A file whose name starts with a migration id and '_' (0003_users.sql, 0003_public.users.csv)
//    runs right after that migration; the others run after the last migration.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/error.h"

namespace strata {

struct SeedFile {
  std::string path;
  std::string after_id;  // the migration it follows; "" for after the last one
  bool csv = false;
  std::string table;     // csv: the table (as written, quoted per dot-separated part)
  std::string text;
};

// Reads the seed files of `dir` (none when it does not exist). `ids` are the service's migration
// ids. kIo for an unreadable file.
Result<std::vector<SeedFile>> LoadSeeds(const std::string& dir, const std::vector<std::string>& ids);

// Runs one seed file. kInput for a malformed CSV (file and line); kDatabase for a failing
// statement or row (the file named).
Result<long long> RunSeed(Engine& engine, const SeedFile& seed);

// Parses CSV text into records (exposed for tests). kInput naming `file` and line on an
// unterminated quote.
Result<std::vector<std::vector<std::optional<std::string>>>> ParseCsv(std::string_view text, const std::string& file);

}  // namespace strata
