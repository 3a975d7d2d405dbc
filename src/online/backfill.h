// Backfill: touches every row that existed before `start` so the dual-write trigger computes
// the new version's columns (UPDATE t SET k = k), in batches ordered by the primary key —
// or, for a table without one, by ranges of heap pages (ctid), which stays correct because
// any row moved by a concurrent update went through the trigger. Each batch is one statement
// that also advances the cursor in strata_online.backfill, so the cursor commits with the
// batch. Before each batch: the pause flag, replica lag (pg_stat_replication.replay_lag) and
// lock waits on the table (pg_locks, not granted) are checked; over a limit it sleeps with
// back-off and counts a throttle.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "engine/engine.h"
#include "online/operation.h"
#include "online/schema_model.h"
#include "util/error.h"

namespace strata::online {

struct BackfillProgress {
  std::string table;
  long long rows_done = 0;
  long long rows_total = 0;
  long long batches = 0;
  long long throttled = 0;
  double rate = 0;   // rows/s of this run
  double eta_s = 0;  // at that rate
  bool done = false;
  bool replica = false;  // this run's batches ran with session_replication_role = replica
};

struct BackfillOptions {
  int batch_size = 1000;
  std::chrono::milliseconds batch_delay{0};
  std::chrono::milliseconds lock_timeout{2000};  // per batch
  int lock_retries = 10;                         // a batch that times out is retried (jittered back-off)
  std::chrono::milliseconds retry_delay{200};
  double max_replica_lag_s = 10;  // throttle above this; <= 0: never
  int max_lock_waiters = 0;       // throttle when more sessions wait for locks on the table; < 0: never
  // Try `SET session_replication_role = replica` for the batches (superuser, or PG15 `GRANT SET
  // ON PARAMETER session_replication_role`): no ordinary trigger fires for them (the new columns
  // are computed by the batch itself; foreign keys on new columns are NOT VALID and validated at
  // complete). Not permitted: silently runs without it.
  bool replica_role = true;
  std::function<void(const BackfillProgress&)> on_progress;
};

// How a batch computes the new version's columns itself: the table's shape before the
// migration (names the `up` expressions use) and the old->new trigger rules of all operations.
// With rules for the table each batch sets `target = (up rewritten to physical columns)` with
// `strata.backfill = on` in its session, which the dual-write trigger tests first and returns
// for; without (old_shape null or no rule) it sets a column to itself to fire the trigger.
struct BackfillCompute {
  const ModelTable* old_shape = nullptr;
  std::vector<TriggerRule> rules;
};

enum class BackfillOutcome { kDone, kPaused };

// Registers the table in strata_online.backfill (rows_total counted once) unless it is there.
Result<void> RegisterBackfill(Engine& engine, const std::string& schema, const std::string& migration,
                              const ModelTable& table);

// Runs batches until the table is done or the migration is paused.
Result<BackfillOutcome> RunBackfill(Engine& engine, const std::string& schema, const std::string& migration,
                                    const ModelTable& table, const BackfillOptions& options,
                                    const BackfillCompute& compute = {});

}  // namespace strata::online
