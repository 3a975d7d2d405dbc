// Which database objects a migration's up section touches, from PostgreSQL's own parse of it and
// the lint statement facts (src/lint/statement_facts.h): the relations it locks, plus the
// objects it creates, renames or drops, and the relations it only reads or references.
// `strata check` compares these between two branches.
#pragma once

#include <string>
#include <vector>

#include "core/migration.h"
#include "util/error.h"

namespace strata::branch {

struct TouchedObject {
  // Relations (tables, views, indexes, sequences share one namespace) by name, without the
  // default "public." schema: "users", "billing.invoices". Other objects carry their kind:
  // "type mood", "function touch_updated_at", "schema billing".
  std::string name;
  bool changes = false;  // created, altered, dropped, renamed, written (false: only read or referenced)
};

struct MigrationObjects {
  std::vector<TouchedObject> objects;  // sorted by name, one entry per name (changes wins)
  // Set when the up section does not parse as PostgreSQL SQL (e.g. SQLite-only syntax): then
  // the objects are unknown and callers must assume the worst. "file:line: parser message".
  std::string unparsed;
};

// The objects `m`'s up section touches. Never fails: a section the parser refuses gives
// `unparsed`.
MigrationObjects TouchedObjects(const Migration& m);

}  // namespace strata::branch
