#include "testkit/drift_check.h"

#include "migrate/migrator.h"
#include "testkit/replay.h"

namespace strata {

Result<DriftReport> CheckDrift(const MigrationGraph& graph, const ExecSettings& settings, Engine& live,
                               const std::string& service, const Actor& actor, const DatabaseFactory& fresh) {
  DriftReport report;
  ASSIGN_OR_RETURN(TargetSnapshot history, Migrator::ReadSnapshot(live, service));
  std::vector<std::string> ids;
  for (const auto& r : history.records) {
    const Migration* m = graph.Find(r.id);
    if (!m) {
      report.unknown.push_back(r.id);
    } else if (r.status != "applied") {
      report.partial.push_back(r.id);
    } else {
      ids.push_back(r.id);
      if (m->checksum != r.checksum) report.edited.push_back(r.id);
    }
  }
  for (const auto& m : graph.ordered()) {
    if (std::find(ids.begin(), ids.end(), m.id) != ids.end()) report.replayed.push_back(m.id);
  }
  ASSIGN_OR_RETURN(auto scratch, fresh());
  if (!ids.empty()) TRY_VOID(Replay(graph, settings, *scratch, service, actor, &ids));
  ASSIGN_OR_RETURN(nlohmann::json expected, SnapshotJson(*scratch));
  ASSIGN_OR_RETURN(nlohmann::json actual, SnapshotJson(live));
  report.diff = DiffSnapshots(expected, actual);
  return report;
}

}  // namespace strata
