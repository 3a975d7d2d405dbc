// A private primary PostgreSQL cluster with one hot standby streaming from it, for tests of
// behaviour that depends on replication (pg_stat_replication, replay lag, standby reads).
// The primary runs PostgreSQL's defaults (wal_level=replica, max_wal_senders=10); the standby is
// made with `pg_basebackup -R -X stream` (as `postgres` when root) and started on another free
// port. Both folders live under the test process's temp root (deleted at exit); both servers
// stop when the PgReplicaPair is destroyed (standby first).
#pragma once

#include <memory>

#include "sandbox/pg_cluster.h"

namespace strata::testing {

struct PgReplicaPair {
  std::unique_ptr<PgCluster> primary;
  std::unique_ptr<PgCluster> standby;  // declared last: stopped first
};

// Starts both and waits until the primary's pg_stat_replication shows the standby streaming
// (20 s). Throws std::runtime_error, with the failing step's output, on failure.
PgReplicaPair StartPrimaryWithStandby();

}  // namespace strata::testing
