// Throwaway databases for replaying migrations (`strata test`, `strata diff REF`, `strata drift`):
// the project's sandbox when `strata sandbox up` left one running, otherwise a private cluster in
// a temp folder, started on first use and stopped and deleted with this object. SQLite
// databases are files in a temp folder.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/pg_cluster.h"
#include "util/error.h"

namespace strata {

class ScratchServer {
 public:
  // `sandbox_dir`: the project's sandbox folder (<project>/.strata/sandbox); "" for none.
  explicit ScratchServer(std::string sandbox_dir);
  ~ScratchServer();  // drops the databases it created in a reused sandbox; stops its own cluster
  ScratchServer(const ScratchServer&) = delete;
  ScratchServer& operator=(const ScratchServer&) = delete;

  // A new empty PostgreSQL database (name: prefix + a counter + the pid); returns its URL.
  // kIo when no PostgreSQL server binaries are installed.
  Result<std::string> NewPostgresDatabase(std::string_view prefix);
  // A new SQLite database file (not yet created); returns its sqlite: URL.
  Result<std::string> NewSqliteDatabase(std::string_view prefix);
  // Drops a database made by NewPostgresDatabase now rather than at destruction.
  void Drop(const std::string& url);

  // True when the running project sandbox is used; false for a private cluster (or none yet).
  bool reused_sandbox() const { return reused_; }
  // Milliseconds the cluster took to start (0 when reused or not started).
  long long start_ms() const { return start_ms_; }

 private:
  Result<PgCluster*> Cluster();
  Result<std::string> TempFolder();

  std::string sandbox_dir_;
  std::unique_ptr<PgCluster> cluster_;
  bool reused_ = false;
  long long start_ms_ = 0;
  std::string temp_dir_;
  std::vector<std::string> databases_;
  int counter_ = 0;
};

}  // namespace strata
