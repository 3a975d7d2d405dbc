#include "testkit/replay.h"

#include <set>

#include <fmt/format.h>

#include "migrate/migrator.h"

namespace strata {

Result<std::unique_ptr<Engine>> OpenUrl(const std::string& url) {
  ASSIGN_OR_RETURN(DatabaseUrl parsed, DatabaseUrl::Parse(url));
  return Connect(parsed, "strata");
}

Result<void> Replay(const MigrationGraph& graph, const ExecSettings& settings, Engine& engine,
                    const std::string& service, const Actor& actor, const std::vector<std::string>* only) {
  Migrator migrator(graph, settings, engine, service, "sandbox", actor);
  if (only == nullptr) {
    for (const auto& head : graph.Heads()) {
      ApplyOptions opt;
      opt.to = head;
      RunResult r = migrator.Apply(opt);
      if (!r.ok()) return std::unexpected(*r.error);
    }
    return {};
  }
  std::set<std::string> wanted(only->begin(), only->end());
  for (const auto& m : graph.ordered()) {
    if (!wanted.count(m.id)) continue;
    ApplyOptions opt;
    opt.to = m.id;
    RunResult r = migrator.Apply(opt);
    if (!r.ok()) return std::unexpected(*r.error);
  }
  return {};
}

Result<nlohmann::json> SnapshotJson(Engine& engine, const SnapshotOptions& options) {
  ASSIGN_OR_RETURN(CatalogSnapshot snap, ReadSnapshot(engine, options));
  return ToJson(snap);
}

}  // namespace strata
