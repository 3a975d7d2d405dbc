// A synthetic data generator (PostgreSQL): fills every empty user table with N rows that respect
// column types, NOT NULL, single-column uniqueness, simple CHECK lists (col IN (...)) and
// single-column foreign keys (parents are filled first, children pick existing parent keys).
//
// Values are derived from the row number g (1..N) in one INSERT … SELECT … FROM
// generate_series per table, so they are unique per column: integers g, text "<g>_<column>"
// (cut to the declared length), timestamps one second apart, uuids from md5(g), and so on.
// Columns with a default, identity or generated columns take their default. Tables it cannot
// fill (an unsupported NOT NULL type, an empty parent, a CHECK it does not understand) are
// reported, not fatal.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/error.h"

namespace strata {

struct SyntheticResult {
  std::vector<std::string> filled;    // schema.table, in fill order
  std::vector<std::string> problems;  // "schema.table: why it was not filled"
  long long rows = 0;                 // rows inserted in all
};

// Fills the empty tables with `rows` rows each (nothing when rows <= 0), then ANALYZEs them.
// Fails only when the catalog cannot be read.
Result<SyntheticResult> FillEmptyTables(Engine& engine, int rows);

}  // namespace strata
