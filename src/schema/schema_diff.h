// The difference between two schema snapshots (as ToJson of catalog_snapshot.h renders them, so
// that a live database, a snapshot file and a replayed branch compare alike): objects added,
// removed and changed, each change with the attributes that differ.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace strata {

struct AttributeChange {
  std::string attribute;  // "type", "nullable", "definition", "column order", …
  nlohmann::json before, after;
};

struct ObjectChange {
  std::string kind;    // schema, extension, type, sequence, table, column, constraint, index, view, function, trigger
  std::string name;    // qualified: "public.users", "public.users.email", "public.f(integer)"
  std::string change;  // "added" (only in B), "removed" (only in A), "changed"
  std::vector<AttributeChange> attributes;  // for "changed"
};

struct SchemaDiff {
  std::vector<ObjectChange> changes;  // in snapshot order: kind by kind, then by name
  bool empty() const { return changes.empty(); }
  int Count(std::string_view change) const;
};

struct DiffOptions {
  bool ignore_column_order = false;  // otherwise a different order of common columns is a table change
};

// Compares snapshot A with snapshot B (both ToJson documents). Owners and grants are compared
// when both sides carry them. Never fails: unknown keys are compared as attributes.
SchemaDiff DiffSnapshots(const nlohmann::json& a, const nlohmann::json& b, const DiffOptions& options = {});

// The snapshot inside a document read from a file: either a snapshot itself or the output of
// `strata schema dump --json` ({"targets": [{"service", "target", "schema"}]}); with several
// targets, the one of `service` (kInput when that is ambiguous or missing). `source` names the
// file in errors.
Result<nlohmann::json> SnapshotFromDocument(const nlohmann::json& doc, const std::string& service,
                                            const std::string& source);

nlohmann::json ToJson(const SchemaDiff& diff);
// One line per object: "+ table public.t", "- index public.i", "~ column public.t.c: type int → bigint".
std::string ToText(const SchemaDiff& diff);

}  // namespace strata
