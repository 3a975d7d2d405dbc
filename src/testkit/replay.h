// Replaying a service's migrations on a throwaway database, and reading its schema back: what
// `strata diff REF`, `strata test` and `strata drift` build on.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/graph.h"
#include "engine/engine.h"
#include "history/history_store.h"
#include "schema/catalog_snapshot.h"
#include "util/error.h"

namespace strata {

// Opens a session on `url` (application_name "strata").
Result<std::unique_ptr<Engine>> OpenUrl(const std::string& url);

// Applies migrations of `graph` to the database behind `engine`, with the Migrator (so history
// is recorded as on a real target): every migration when `only` is null, otherwise each id of
// `*only` together with its ancestors, in graph order. A failing migration stops the replay
// with its error (migration id set).
Result<void> Replay(const MigrationGraph& graph, const ExecSettings& settings, Engine& engine,
                    const std::string& service, const Actor& actor, const std::vector<std::string>* only = nullptr);

// The snapshot of the database behind `engine` (PostgreSQL or SQLite) as ToJson renders it.
Result<nlohmann::json> SnapshotJson(Engine& engine, const SnapshotOptions& options = {});

}  // namespace strata
