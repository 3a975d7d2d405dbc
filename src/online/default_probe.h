// Whether a default makes ADD COLUMN rewrite the table: PostgreSQL itself decides. A volatile
// default (gen_random_uuid(), clock_timestamp(), random(), nextval(…)) is computed for every
// existing row by rewriting the table under ACCESS EXCLUSIVE; any other is stored once in the
// catalog (instant). Which is which is PostgreSQL's call, not the text's: a volatile SQL
// function that inlines to a constant (`SELECT 1`) does not rewrite, and a domain type with
// constraints rewrites whatever the default.
#pragma once

#include <string>

#include "engine/engine.h"
#include "online/operation.h"
#include "util/error.h"

namespace strata::online {

// What ADD COLUMN of `probe` would rewrite the table for.
enum class AddColumnRewrite {
  kNone,     // nothing: a catalog change (a fast default, or none)
  kDefault,  // the default alone (volatile): strata sets it afterwards and backfills it
  kType,     // the type itself (serial, a domain with constraints): whatever the default
};

// In a transaction that is rolled back: an empty temporary table, ADD COLUMN of the type
// without a default, then (probe.expr) ADD COLUMN of the type WITH the default, comparing the
// table's relfilenode (a rewrite gives it a new one) after each. The table has no rows, so the
// default is never evaluated per row (nextval consumes nothing). A type or default PostgreSQL
// refuses (unknown function, bad cast) is its kDatabase error. Without the TEMPORARY privilege
// nothing can be asked: a default counts as kDefault (backfilled, never a rewrite), a type as
// kNone.
Result<AddColumnRewrite> ProbeAddColumn(Engine& engine, const DefaultProbe& probe);

}  // namespace strata::online
