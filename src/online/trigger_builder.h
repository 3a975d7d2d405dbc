// The dual-write trigger of one table for one migration: a BEFORE INSERT OR UPDATE row
// trigger whose function tells which version wrote the row (the new version schema is an
// element of the writer's search_path, or it SET strata.version to it — the same test as
// strata_online.in_version(), inlined: one string search per row) and computes the other version's
// columns: `up` rules when the old version wrote, `down` rules when the new one did. The
// rules' expressions see the writing version's columns as plain names (plpgsql variables). A
// rule runs on INSERT, and on UPDATE only when a column its expression reads changed or its
// target is NULL (not yet backfilled): volatile expressions keep the value they drew. When the
// new version updates a row the backfill has not reached, the new columns it left NULL are
// filled from the old ones (after its `down` rules ran), as the backfill would.
// It returns at once when the session set `strata.backfill = on`: the backfill's batches
// compute the new columns themselves (backfill.h); every other writer goes through it.
#pragma once

#include <string>
#include <vector>

#include "online/operation.h"

namespace strata::online {

// strata_online.<name> of the trigger function (also the trigger's name).
std::string TriggerName(const std::string& migration, const std::string& table);

// CREATE OR REPLACE FUNCTION + (re)CREATE TRIGGER for `table` (physical). `old_shape` is null
// for a table the migration creates. Rules for other tables are ignored.
std::vector<std::string> CreateTriggerSql(const std::string& schema, const std::string& migration,
                                          const std::string& version_schema, const std::string& table,
                                          const ModelTable* old_shape, const ModelTable& new_shape,
                                          const std::vector<TriggerRule>& rules);

// DROP TRIGGER / FUNCTION IF EXISTS.
std::vector<std::string> DropTriggerSql(const std::string& schema, const std::string& migration,
                                        const std::string& table);

}  // namespace strata::online
