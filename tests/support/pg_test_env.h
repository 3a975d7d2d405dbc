// Real databases for tests: one throwaway PostgreSQL cluster per test process, started on
// first use and stopped (its folder deleted) when the process exits, however the test binary
// was filtered. Also when the process dies abnormally: a watchdog process kills the server and
// deletes the folder once this process is gone.
//
// Nothing here skips: when PostgreSQL cannot be started the helpers throw, and GoogleTest
// reports every test that needed it as failed, with the reason.
#pragma once

#include <string>
#include <string_view>

#include "sandbox/pg_cluster.h"

namespace strata::testing {

// The process-wide cluster (thread-safe lazy start). Throws std::runtime_error when it cannot
// be started (the first failure is remembered; later calls throw the same message at once).
PgCluster& SharedCluster();

// Creates a database with a unique name starting with `prefix` (sanitized to [a-z0-9_]) in the
// shared cluster and returns its postgres:// URL. Throws on failure.
std::string FreshPgDatabase(std::string_view prefix = "t");

// A path for a new SQLite database file in a fresh temp folder (the file does not exist yet).
std::string FreshSqlitePath();

// A fresh empty folder under /tmp (mode 0755), deleted at process exit.
std::string TempDir();

}  // namespace strata::testing
