#!/usr/bin/env bash
# Zero-downtime benchmark of `strata online` (issue 4): pgbench drives reads and writes at a
# fixed rate through the old and the new version of a table of ROWS rows while an online
# migration runs start-to-complete; the same change done with plain SQL (which blocks) and one
# bulk UPDATE of the whole table are measured beside it. Writes the `## zero downtime` section
# of bench/RESULTS.md (other sections are kept). See bench/zero_downtime/README.md.
#
# Scenarios (each in a fresh database copied from one loaded template):
#   alter_type   online alter_column balance int -> bigint (up/down)  | plain ALTER COLUMN TYPE
#   add_notnull  online add_column score bigint NOT NULL, up balance*2 | plain ADD COLUMN + UPDATE + SET NOT NULL
#   index        online create_index on note (CONCURRENTLY)          | plain CREATE INDEX
#   bulk_update  one UPDATE of the whole table, idle and under the same load (the backfill's limit)
#   floor        no migration, the same load: one backend busy on CPU alone for ~4 s, and the
#                table updated in batches of 1000 rows by psql (no trigger, no strata) — what any
#                4 s of one busy core, or any batched backfill, costs the load on this machine
#
# Environment (all optional):
#   STRATA_BIN=path   strata binary (default: build/strata, else build-*/strata of this tree)
#   ROWS=1000000      rows in the table
#   RATE=100          pgbench transactions/s (fixed rate, -R)
#   CLIENTS=4         pgbench clients (half "old app", half "new app")
#   BEFORE_S=15       seconds of load before each change (the "before" window)
#   AFTER_S=6         seconds of load after it (> pgbench's log buffer: its tail is lost when it is stopped)
#   BATCH_SIZES="1000 5000"  strata backfill batch sizes (1000 is strata's default)
#   REPEAT=3          online runs per change and batch size, each on a fresh copy; their
#                     transactions are also pooled (a 4 s backfill at 100 tx/s is only ~400
#                     samples, so one run's p99 is its 4th-worst transaction)
#   BATCH_DELAY=0ms   strata backfill delay between batches
#   INDEX_WORKERS=N   pass --index-workers N to strata online start (strata's default: 0; -1: the server's)
#   NEW_APP_AT=started  when the new app moves to the new version: started (after `start`
#                     returned) or schema (as soon as the version schema exists: during the backfill)
#   SCENARIOS="alter_type add_notnull index"   which online/plain pairs to run
#   PLAIN=0           skip the plain-SQL runs
#   FLOOR=0           skip the machine's floor (no migration: one backend busy on CPU only, and
#                     a batched UPDATE without trigger or strata, under the same load; REPEAT runs)
#   RESULTS=0         do not touch bench/RESULTS.md (RESULTS_FILE=path: write that file instead)
#   KEEP=1            keep the work folder (logs, pgbench transaction logs, lock samples)
#   PG_BIN=$(pg_config --bindir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROWS="${ROWS:-1000000}"
RATE="${RATE:-100}"
CLIENTS="${CLIENTS:-4}"
BEFORE_S="${BEFORE_S:-15}"
AFTER_S="${AFTER_S:-6}"
BATCH_SIZES="${BATCH_SIZES:-1000 5000}"
REPEAT="${REPEAT:-3}"
PLAIN="${PLAIN:-1}"
FLOOR="${FLOOR:-1}"
# When the new app moves to the new version: "started" (when `strata online start` has returned,
# the backfill done) or "schema" (as soon as the version schema exists, during the backfill).
NEW_APP_AT="${NEW_APP_AT:-started}"
BATCH_DELAY="${BATCH_DELAY:-0ms}"
INDEX_WORKERS="${INDEX_WORKERS:-}"
SCENARIOS="${SCENARIOS:-alter_type add_notnull index}"
WRITE_RESULTS="${RESULTS:-1}"
PG_BIN="${PG_BIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}"

log() { printf '[zero_downtime] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in jq runuser awk; do command -v "$tool" >/dev/null || die "$tool is required"; done
for b in initdb pg_ctl psql pgbench; do [[ -x "$PG_BIN/$b" ]] || die "$PG_BIN/$b not found"; done

if [[ -z "${STRATA_BIN:-}" ]]; then
  for c in "$ROOT/build/strata" "$ROOT"/build-*/strata; do [[ -x "$c" ]] && { STRATA_BIN="$c"; break; }; done
fi
[[ -x "${STRATA_BIN:-}" ]] || die "no strata binary (build it: ninja -C build strata, or set STRATA_BIN)"
STRATA="$STRATA_BIN"

# ---------------------------------------------------------------------------------------------
# Throwaway cluster, run as postgres (PostgreSQL refuses root).
WORK="$(mktemp -d /tmp/strata-zd-bench.XXXXXX)"
chmod 755 "$WORK"
mkdir -p "$WORK/data" "$WORK/sock"
chown postgres: "$WORK/data" "$WORK/sock"
as_pg() { runuser -u postgres -- "$@"; }
PG_UP=0
cleanup() {
  local j; for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ "$PG_UP" == 1 ]] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true
  if [[ "${KEEP:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

PORT=$(awk 'BEGIN { srand(); print 20000 + int(rand() * 20000) }')
while ss -ltn 2>/dev/null | grep -q ":$PORT "; do PORT=$((PORT + 1)); done
log "initdb + start on port $PORT ($WORK)"
as_pg "$PG_BIN/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
# initdb defaults, plus enough WAL that checkpoints do not dominate the bulk work, and a pool of
# recycled WAL segments (min_wal_size, filled once by run_bulk) as a server with a steady write
# load has one: on a fresh cluster every 16 MB of WAL makes some committing backend create and
# zero-fill a new segment while it holds WALWriteLock, stalling every commit for 50-120 ms
# (measured) — a property of the throwaway cluster, not of the change being measured.
as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/sock/server.log" -o \
  "-p $PORT -k $WORK/sock -c listen_addresses=127.0.0.1 -c max_wal_size=4GB -c min_wal_size=2GB -c checkpoint_timeout=30min" \
  start >/dev/null
PG_UP=1
PGURL="postgres://postgres@127.0.0.1:$PORT"
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
q() { "${PSQL[@]}" -At -d "$1" -c "$2"; }
PG_VERSION=$(q postgres "SHOW server_version")
now() { date +%s.%N; }

# ---------------------------------------------------------------------------------------------
# Template database: accounts(ROWS rows) and the benchmark's control table.
log "loading $ROWS rows into the template"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE tpl"
"${PSQL[@]}" -d tpl <<SQL
CREATE TABLE accounts (id bigint PRIMARY KEY, balance int NOT NULL, note text NOT NULL, filler text);
INSERT INTO accounts SELECT g, (g::bigint * 7919) % 100000, 'note ' || (g % 5000), repeat('x', 60)
  FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE accounts;
CREATE SCHEMA bench;
CREATE SEQUENCE bench.ids START $((ROWS + 1));
-- Which version each app uses (app 1: old app, app 2: new app) and which shape it writes.
CREATE TABLE bench.ctl (app int PRIMARY KEY, v text NOT NULL, newshape int NOT NULL);
INSERT INTO bench.ctl VALUES (1, 'public', 0), (2, 'public', 0);
SQL
TABLE_MB=$(q tpl "SELECT pg_total_relation_size('accounts') / 1048576")

fresh_db() {  # fresh_db NAME: a copy of the template
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE tpl"
  q "$1" "VACUUM ANALYZE accounts" >/dev/null
  # The copy's files reach the disk now, not as background writeback during the "before" window.
  q "$1" "CHECKPOINT" >/dev/null
  sync
}

# One pgbench script for both apps: each transaction reads its app's version and shape from
# bench.ctl, sets search_path to that version and does a read, an update and an insert.
# $1: the extra column the new shape inserts (e.g. ", score"), $2: its value (e.g. ", :d * 2").
write_script() {
  cat >"$WORK/tx.sql" <<EOF
\set id random(1, $ROWS)
\set d random(-50, 50)
SELECT v AS ver, newshape AS ns FROM bench.ctl WHERE app = 1 + :client_id % 2 \gset
SET search_path = :ver;
BEGIN;
SELECT balance FROM accounts WHERE id = :id;
UPDATE accounts SET balance = balance + :d WHERE id = :id;
\if :ns
INSERT INTO accounts (id, balance, note, filler$1) VALUES (nextval('bench.ids'), :d, 'new app', 'y'$2);
\else
INSERT INTO accounts (id, balance, note, filler) VALUES (nextval('bench.ids'), :d, 'old app', 'y');
\endif
END;
EOF
}

# Lock sampler: every ~5 ms, the sessions holding a table-level lock on accounts that blocks
# writes (ShareLock or stronger; not the ExclusiveLock of tuple and relation-extension locks,
# which are row-level and short) and the number of sessions waiting for any lock on it.
# Runs inside the server as one PL/pgSQL loop (no client round trip, fork or exec per sample:
# a shell loop of psql + sleep every 4 ms cost a good part of a core on this 2-vCPU machine,
# competing with the load it measures); each sample is a NOTICE line on psql's stderr, and each
# is its own transaction.
start_sampler() {  # start_sampler DB OUT
  local oid
  oid=$(q "$1" "SELECT 'public.accounts'::regclass::oid")
  PGAPPNAME=zd_sampler "${PSQL[@]}" -d "$1" -c "DO \$\$ DECLARE r text; BEGIN LOOP
      SELECT extract(epoch FROM clock_timestamp()) || ' ' || count(*) FILTER (WHERE NOT granted) || ' ' ||
             coalesce(string_agg(CASE WHEN locktype = 'relation' AND granted AND mode IN ('ShareLock',
               'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock') THEN pid || ':' || mode END, ' '), '-')
        INTO r FROM pg_locks WHERE relation = $oid;
      RAISE NOTICE 'S %', r;
      COMMIT;  -- no snapshot held across samples: CREATE INDEX CONCURRENTLY waits for those
      PERFORM pg_sleep(0.004);
    END LOOP; END \$\$" 2>&1 >/dev/null | sed -u -n 's/^NOTICE:  S //p' >"$2" &
  SAMPLER_PID=$!
  SAMPLER_DB="$1"
}
stop_sampler() {
  q "$SAMPLER_DB" "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'zd_sampler'" >/dev/null
  wait "$SAMPLER_PID" 2>/dev/null || true
}

# Longest continuous hold of one strong lock by one session between T0 and T1, in ms: from
# the first to the last of the consecutive samples that show it, plus one sampling interval
# (so a hold seen in a single sample counts as one interval). Prints
# "hold_ms interval_ms samples max_waiters" (hold 0: no such lock seen).
lock_stats() {  # lock_stats SAMPLES T0 T1
  awk -v t0="$2" -v t1="$3" '
    $1 < t0 || $1 > t1 { next }
    {
      n++; if (n == 1) tfirst = $1; tlast = $1
      if ($2 + 0 > maxw) maxw = $2 + 0
      split("", cur)
      for (i = 3; i <= NF; i++) if ($i != "-") cur[$i] = 1
      for (k in first) if (!(k in cur)) { d = last[k] - first[k]; if (d > best) best = d; gone[k] = 1 }
      for (k in gone) { delete first[k]; delete last[k] }
      split("", gone)
      for (k in cur) { if (!(k in first)) first[k] = $1; last[k] = $1; seen = 1 }
    }
    END {
      for (k in first) { d = last[k] - first[k]; if (d > best) best = d }
      iv = n > 1 ? (tlast - tfirst) / (n - 1) : 0
      printf "%.0f %.1f %d %d\n", seen ? (best + iv) * 1000 : 0, iv * 1000, n, maxw
    }' "$1"
}

# pgbench transaction logs -> one latency (ms) per line for transactions scheduled in [T0, T1),
# then "FAILED n". Lines pgbench left truncated when it was stopped are skipped.
tx_window() {  # tx_window PREFIX T0 T1
  cat "$1".[0-9]* 2>/dev/null | awk -v t0="$2" -v t1="$3" '
    # client tx time script epoch us [lag]: the end time is epoch.us; start = end - time.
    NF < 6 || $5 < 1000000000 { next }
    { end = $5 + $6 / 1e6
      if ($3 == "failed" || $3 == "skipped") { if (end >= t0 && end < t1) failed++; next }
      start = end - $3 / 1e6; if (start < t0 || start >= t1) next
      print $3 / 1000 }
    END { printf "FAILED %d\n", failed + 0 }'
}
# tx_window output (one window, or several runs' windows concatenated) -> "count failed p50 p99 max".
lat_stats() {  # lat_stats FILE
  local failed n
  failed=$(awk '/^FAILED/ { s += $2 } END { print s + 0 }' "$1")
  grep -v '^FAILED' "$1" | sort -n >"$WORK/lat.sorted"
  n=$(wc -l <"$WORK/lat.sorted")
  if [[ "$n" -eq 0 ]]; then echo "0 $failed - - -"; return; fi
  awk -v n="$n" -v f="$failed" '
    { v[NR] = $1 }
    END { p50 = v[int(n * 0.50) > 0 ? int(n * 0.50) : 1]; p99 = v[int(n * 0.99) > 0 ? int(n * 0.99) : 1]
          printf "%d %d %.2f %.2f %.0f\n", n, f, p50, p99, v[n] }' "$WORK/lat.sorted"
}
tx_stats() {  # tx_stats PREFIX T0 T1 [POOL]: stats of one window, also appended to POOL
  tx_window "$1" "$2" "$3" >"$WORK/lat.txt"
  [[ -n "${4:-}" ]] && cat "$WORK/lat.txt" >>"$4"
  lat_stats "$WORK/lat.txt"
}
plus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a + b }'; }  # (awk's print would round epochs to 6 digits)

# Runs pgbench at the fixed rate in the background (until killed); logs per transaction.
start_pgbench() {  # start_pgbench DB PREFIX
  rm -f "$2".*
  "$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$PORT" -U postgres -M simple -c "$CLIENTS" -j 2 -R "$RATE" -T 3600 -P 1 \
    -l --log-prefix="$2" -f "$WORK/tx.sql" "$1" >"$2.out" 2>&1 &
  PGBENCH_PID=$!
}
# pgbench is stopped a few seconds after the window it measures; its buffered log tail is lost
# with it, which is why AFTER_S > 1 s. Aborted clients are errors, counted as failures.
stop_pgbench() {
  kill -TERM "$PGBENCH_PID" 2>/dev/null || true
  wait "$PGBENCH_PID" 2>/dev/null || true
}
aborted() { grep -c -E 'aborted|ERROR' "$1.out" || true; }

set_app() {  # set_app DB APP VERSION NEWSHAPE
  q "$1" "UPDATE bench.ctl SET v = '$3', newshape = $4 WHERE app = $2" >/dev/null
}

RESULT_ROWS=()
DETAILS=()
record() { RESULT_ROWS+=("$1"); }

# Starts the lock sampler and pgbench on DB (files named after TAG) and lets the "before" window
# pass: sets PFX (pgbench's log prefix), T0 (load start) and TS (the change's start).
load_then_wait() {  # load_then_wait DB TAG
  PFX="$WORK/pgb_$2"
  start_sampler "$1" "$WORK/locks_$2"
  start_pgbench "$1" "$PFX"
  T0=$(now)
  sleep "$BEFORE_S"
  TS=$(now)
}

# One online scenario: NAME FILE-NAME MIGRATION-JSON EXTRA-COL EXTRA-VAL BATCH-SIZE
run_online() {
  local name="$1" mname="$2" json="$3" bs="$6" rep="$7" db="zd_online_$1"
  local tag="${name}_${bs}_r$rep"
  log "online $name: fresh database (batch $bs, run $rep of $REPEAT)"
  fresh_db "$db"
  write_script "$4" "$5"
  echo "$json" >"$WORK/$mname.json"
  local pfx t0 ts te tc tce
  load_then_wait "$db" "online_$tag"
  pfx=$PFX t0=$T0 ts=$TS
  log "online $name: strata online start"
  local vs="public_$mname"
  # NEW_APP_AT=schema: the new app moves to the new version as soon as the expand has created it.
  (
    [[ "$NEW_APP_AT" == schema ]] || exit 0
    for _ in $(seq 1 6000); do
      if [[ "$(q "$db" "SELECT count(*) FROM pg_namespace WHERE nspname = '$vs'")" == 1 ]] &&
         [[ "$(q "$db" "SELECT count(*) FROM pg_views WHERE schemaname = '$vs'")" -ge 1 ]]; then
        set_app "$db" 2 "$vs" 1; now >"$WORK/newapp_$name"; exit 0
      fi
      sleep 0.05
    done
  ) &
  local watcher=$!
  "$STRATA" --json --url "$PGURL/$db" online start "$WORK/$mname.json" \
    --batch-size "$bs" --batch-delay "$BATCH_DELAY" ${INDEX_WORKERS:+--index-workers "$INDEX_WORKERS"} >"$WORK/start_$tag.json" 2>"$WORK/start_$tag.err" ||
    die "strata online start failed: $(cat "$WORK/start_$tag.err")"
  te=$(now)
  wait "$watcher" || true
  set_app "$db" 2 "$vs" 1
  # Roll-out: the old app moves to the new version, then complete (the guard would list it otherwise).
  set_app "$db" 1 "$vs" 1
  sleep 1
  tc=$(now)
  log "online $name: strata online complete"
  "$STRATA" --json --url "$PGURL/$db" online complete \
    >"$WORK/complete_$tag.json" 2>"$WORK/complete_$tag.err" || die "strata online complete failed: $(cat "$WORK/complete_$tag.err")"
  tce=$(now)
  sleep "$AFTER_S"
  stop_pgbench
  stop_sampler
  local before during locks rate rows
  before=$(tx_stats "$pfx" "$(plus "$t0" 2)" "$ts" "$WORK/pool_before_${name}_$bs")
  during=$(tx_stats "$pfx" "$ts" "$tce" "$WORK/pool_during_${name}_$bs")
  locks=$(lock_stats "$WORK/locks_online_$tag" "$ts" "$tce")
  rate=$(jq '[.targets[0].backfill[]?.rate_rows_per_s] | add // 0 | round' "$WORK/start_$tag.json")
  rows=$(jq '[.targets[0].backfill[]?.rows_done] | add // 0' "$WORK/start_$tag.json")
  RUN_RATES+=("$rate")
  RUN_ABORTED=$((RUN_ABORTED + $(aborted "$pfx")))
  read -r _ _ _ b99 _ <<<"$before"; read -r _ _ _ d99 _ <<<"$during"
  RUN_RATIOS+=("$(awk -v a="$b99" -v b="$d99" 'BEGIN { if (a + 0 > 0) printf "%.2f", b / a; else print "-" }')")
  local ab; ab=$(aborted "$pfx")
  local wall_start wall_complete
  wall_start=$(awk -v a="$ts" -v b="$te" 'BEGIN { printf "%.1f", b - a }')
  wall_complete=$(awk -v a="$tc" -v b="$tce" 'BEGIN { printf "%.1f", b - a }')
  record "online|$name|$before|$during|$locks|$rate|$rows|$wall_start|$wall_complete|$ab|$bs|$rep"
  log "online $name (batch $bs): before [$before] during [$during] locks [$locks] backfill $rate rows/s ($rows rows), start ${wall_start}s, complete ${wall_complete}s, aborted $ab"
}

# One plain scenario: NAME SQL EXTRA-COL EXTRA-VAL (the apps switch to the new shape right after it)
run_plain() {
  local name="$1" sql="$2" db="zd_plain_$1"
  log "plain $name: fresh database"
  fresh_db "$db"
  write_script "$3" "$4"
  local pfx t0 ts te
  load_then_wait "$db" "plain_$name"
  pfx=$PFX t0=$T0 ts=$TS
  log "plain $name: $sql"
  "${PSQL[@]}" -d "$db" -c "$sql" >/dev/null
  te=$(now)
  set_app "$db" 1 public 1
  set_app "$db" 2 public 1
  sleep "$AFTER_S"
  stop_pgbench
  stop_sampler
  local before during locks ab wall
  before=$(tx_stats "$pfx" "$(plus "$t0" 2)" "$ts")
  during=$(tx_stats "$pfx" "$ts" "$te")
  locks=$(lock_stats "$WORK/locks_plain_$name" "$ts" "$te")
  ab=$(aborted "$pfx")
  wall=$(awk -v a="$ts" -v b="$te" 'BEGIN { printf "%.1f", b - a }')
  local rate="-"
  [[ "$name" == add_notnull ]] && rate=$(awk -v r="$ROWS" -v a="$ts" -v b="$te" 'BEGIN { printf "%.0f", r / (b - a) }')
  record "plain|$name|$before|$during|$locks|$rate|$ROWS|$wall|-|$ab|-|-"
  log "plain $name: before [$before] during [$during] locks [$locks] took ${wall}s, aborted $ab"
}

# Bulk UPDATE of the whole table: the backfill's limit. Idle, then under the same load.
run_bulk() {
  local db="zd_bulk"
  fresh_db "$db"
  q "$db" "ALTER TABLE accounts ADD COLUMN balance_new bigint" >/dev/null
  local a b
  a=$(now); q "$db" "UPDATE accounts SET balance_new = balance::bigint" >/dev/null; b=$(now)
  BULK_IDLE=$(awk -v r="$ROWS" -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", r / (b - a) }')
  BULK_IDLE_S=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b - a }')
  log "bulk UPDATE idle: ${BULK_IDLE_S}s = $BULK_IDLE rows/s"
  # Fill the WAL segment pool (see min_wal_size above): two more whole-table updates, untimed.
  q "$db" "UPDATE accounts SET balance_new = 0" >/dev/null
  q "$db" "UPDATE accounts SET balance_new = 1" >/dev/null
  q "$db" "CHECKPOINT" >/dev/null
  log "WAL segments in the pool: $(find "$WORK/data/pg_wal" -maxdepth 1 -type f -name '0*' | wc -l)"
}

# The machine's floor, no migration: KIND cpu = one session computing for FLOOR_CPU_S seconds
# (no I/O), batched = `ADD COLUMN score bigint` then UPDATEs of 1000 rows each, one transaction
# per statement, by psql (no trigger, no strata: the least a batched backfill of this table
# costs). Same load, sampler and windows as run_online. REP: the run's number.
FLOOR_CPU_S="${FLOOR_CPU_S:-4}"
FLOOR_BATCH=1000
run_floor() {  # run_floor KIND REP
  local kind="$1" rep="$2" db="zd_floor_$1"
  local tag="${kind}_r$rep"
  log "floor $kind: fresh database (run $rep of $REPEAT)"
  fresh_db "$db"
  write_script "" ""
  if [[ "$kind" == batched ]]; then
    q "$db" "ALTER TABLE accounts ADD COLUMN score bigint" >/dev/null
    awk -v rows="$ROWS" -v b="$FLOOR_BATCH" 'BEGIN { for (k = 0; k < rows; k += b)
      printf "UPDATE accounts SET score = balance * 2 WHERE id > %d AND id <= %d;\n", k, k + b }' >"$WORK/floor_batches.sql"
  fi
  local pfx t0 ts te
  load_then_wait "$db" "floor_$tag"
  pfx=$PFX t0=$T0 ts=$TS
  if [[ "$kind" == cpu ]]; then
    q "$db" "DO \$\$ DECLARE t0 timestamptz := clock_timestamp(); BEGIN
      WHILE clock_timestamp() < t0 + interval '$FLOOR_CPU_S s' LOOP
        PERFORM count(*) FROM generate_series(1, 50000);
      END LOOP; END \$\$" >/dev/null
  else
    "${PSQL[@]}" -d "$db" -f "$WORK/floor_batches.sql" >/dev/null
  fi
  te=$(now)
  sleep "$AFTER_S"
  stop_pgbench
  stop_sampler
  local before during locks ab wall rate="-"
  before=$(tx_stats "$pfx" "$(plus "$t0" 2)" "$ts" "$WORK/pool_before_floor_$kind")
  during=$(tx_stats "$pfx" "$ts" "$te" "$WORK/pool_during_floor_$kind")
  locks=$(lock_stats "$WORK/locks_floor_$tag" "$ts" "$te")
  ab=$(aborted "$pfx")
  RUN_ABORTED=$((RUN_ABORTED + ab))
  wall=$(awk -v a="$ts" -v b="$te" 'BEGIN { printf "%.1f", b - a }')
  if [[ "$kind" == batched ]]; then
    rate=$(awk -v r="$ROWS" -v a="$ts" -v b="$te" 'BEGIN { printf "%.0f", r / (b - a) }')
    RUN_RATES+=("$rate")
  fi
  read -r _ _ _ b99 _ <<<"$before"; read -r _ _ _ d99 _ <<<"$during"
  RUN_RATIOS+=("$(awk -v a="$b99" -v b="$d99" 'BEGIN { if (a + 0 > 0) printf "%.2f", b / a; else print "-" }')")
  record "floor|$kind|$before|$during|$locks|$rate|$ROWS|$wall|-|$ab|$FLOOR_BATCH|$rep"
  log "floor $kind: before [$before] during [$during] locks [$locks] took ${wall}s, aborted $ab"
}

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

MIG_alter_type='{"name": "widen_balance", "operations": [{"alter_column": {"table": "accounts", "column": "balance", "type": "bigint", "up": "balance::bigint", "down": "balance::int"}}]}'
MIG_add_notnull='{"name": "add_score", "operations": [{"add_column": {"table": "accounts", "up": "balance * 2", "column": {"name": "score", "type": "bigint", "nullable": false}}}]}'
MIG_index='{"name": "note_index", "operations": [{"create_index": {"name": "accounts_note_idx", "table": "accounts", "columns": ["note"]}}]}'
PLAIN_alter_type='ALTER TABLE accounts ALTER COLUMN balance TYPE bigint'
PLAIN_add_notnull='BEGIN; ALTER TABLE accounts ADD COLUMN score bigint; UPDATE accounts SET score = balance * 2; ALTER TABLE accounts ALTER COLUMN score SET DEFAULT 0, ALTER COLUMN score SET NOT NULL; COMMIT;'
PLAIN_index='CREATE INDEX accounts_note_idx ON accounts (note)'

run_bulk
for s in $SCENARIOS; do
  mig="MIG_$s"; plain="PLAIN_$s"
  mname=$(echo "${!mig}" | jq -r .name)
  col=""; val=""
  if [[ "$s" == add_notnull ]]; then col=", score"; val=", :d * 2"; fi
  for bs in $BATCH_SIZES; do
    RUN_RATES=(); RUN_RATIOS=(); RUN_ABORTED=0
    rm -f "$WORK/pool_before_${s}_$bs" "$WORK/pool_during_${s}_$bs"
    for rep in $(seq 1 "$REPEAT"); do
      run_online "$s" "$mname" "${!mig}" "$col" "$val" "$bs" "$rep"
    done
    if [[ "$REPEAT" -gt 1 ]]; then
      # All runs' transactions pooled: p99 over REPEAT times as many samples.
      record "pooled|$s|$(lat_stats "$WORK/pool_before_${s}_$bs")|$(lat_stats "$WORK/pool_during_${s}_$bs")|-|$(printf '%s\n' "${RUN_RATES[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')|-|-|-|$RUN_ABORTED|$bs|$(IFS=' '; echo "${RUN_RATIOS[*]}")"
    fi
    if [[ "$s" == index ]]; then break; fi  # nothing to backfill: one batch size is enough
  done
  [[ "$PLAIN" == 0 ]] || run_plain "$s" "${!plain}" "$col" "$val"
done
if [[ "$FLOOR" != 0 ]]; then
  for kind in cpu batched; do
    RUN_RATES=(); RUN_RATIOS=(); RUN_ABORTED=0
    rm -f "$WORK/pool_before_floor_$kind" "$WORK/pool_during_floor_$kind"
    for rep in $(seq 1 "$REPEAT"); do run_floor "$kind" "$rep"; done
    if [[ "$REPEAT" -gt 1 ]]; then
      record "floor_pooled|$kind|$(lat_stats "$WORK/pool_before_floor_$kind")|$(lat_stats "$WORK/pool_during_floor_$kind")|-|$( ((${#RUN_RATES[@]})) && printf '%s\n' "${RUN_RATES[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' || echo -)|-|-|-|$RUN_ABORTED|$FLOOR_BATCH|$(IFS=' '; echo "${RUN_RATIOS[*]}")"
    fi
  done
fi
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# Report.
SECTION="$WORK/section.md"
{
  echo "## zero downtime"
  echo
  echo "Written by \`bench/zero_downtime/run.sh\` on $DATE (commit $COMMIT)."
  echo
  echo "- machine: $(nproc) vCPU ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), shared with other work; load average at start $LOAD_START, at end $LOAD_END"
  echo "- PostgreSQL $PG_VERSION, throwaway cluster (initdb defaults, fsync on, max_wal_size=4GB, min_wal_size=2GB), TCP on 127.0.0.1; a pool of recycled WAL segments is filled once before the runs, as a server with a steady write load has one (a fresh cluster makes some committing backend create and zero-fill a segment every 16 MB of WAL, stalling every commit 50–120 ms)"
  echo "- table \`accounts(id bigint PRIMARY KEY, balance int NOT NULL, note text NOT NULL, filler text)\`, $ROWS rows ($TABLE_MB MB with its index); each scenario on a fresh copy"
  echo "- load: pgbench, $CLIENTS clients, fixed rate $RATE tx/s (\`-R $RATE -M simple -P 1 -l\`); each transaction reads its app's version from a control table, \`SET search_path\` to it, then \`BEGIN; SELECT\` one row; \`UPDATE\` its balance; \`INSERT\` a row; \`END\`. Half the clients are the old app, half the new app: the new app moves to the new version schema $( [[ "$NEW_APP_AT" == schema ]] && echo "as soon as \`start\` has created it (during the backfill)" || echo "when \`start\` has returned (backfill done)"), the old app moves just before \`complete\` (the roll-out); the old app keeps working on the old version through \`start\` and the backfill"
  echo "- strata: \`strata online start FILE --batch-size N --batch-delay $BATCH_DELAY${INDEX_WORKERS:+ --index-workers $INDEX_WORKERS}\` (N = $BATCH_SIZES; 1000 is the default) then \`strata online complete\` ($STRATA)"
  echo "- latency: pgbench's per-transaction time (from the scheduled start, so queueing behind a lock counts); before = the ${BEFORE_S} s before the change (first 2 s skipped), during = from \`start\` until \`complete\` returned (plain: the statement); each online change runs $REPEAT times on fresh copies, then all its runs' transactions are pooled (a 4 s backfill at $RATE tx/s is only ~400 samples: one run's p99 is its 4th-worst transaction)"
  echo "- longest lock: a sampler (one PL/pgSQL loop in the server, a transaction per sample) polls \`pg_locks\` every ~4 ms for table-level locks on the table that block writes (ShareLock or stronger, granted; tuple and extension locks excluded) and reports the longest run of consecutive samples in which one session held one such lock (a hold seen in a single sample is reported as one sampling interval)."
  echo
  echo "| change | how | tx before / during | failed | p50 before → during (ms) | p99 before → during (ms) | p99 ratio | longest write-blocking lock (sampled) | backfill rows/s (× bulk) | wall |"
  echo "| --- | --- | --- | ---: | --- | --- | ---: | ---: | ---: | --- |"
  for r in "${RESULT_ROWS[@]}"; do
    IFS='|' read -r how name before during locks rate rows wstart wcomplete ab bs rep <<<"$r"
    read -r bn bf b50 b99 bmax <<<"$before"
    read -r dn df d50 d99 dmax <<<"$during"
    read -r hold iv ns maxw <<<"$locks"
    ratio=$(awk -v a="$b99" -v b="$d99" 'BEGIN { if (a + 0 > 0) printf "%.2f×", b / a; else print "-" }')
    failed=$((bf + df + ab))
    case "$name" in
      alter_type) what="alter_column int → bigint" ;;
      add_notnull) what="add_column NOT NULL + up" ;;
      index) what="create_index" ;;
      cpu) what="no migration: one backend on CPU only (machine floor)" ;;
      batched) what="no migration: batched UPDATE, no trigger (machine floor)" ;;
    esac
    rate_s="$rate"
    if [[ "$rate" =~ ^[0-9]+$ && "$rate" -gt 0 ]]; then
      rate_s="$rate ($(awk -v r="$rate" -v b="$BULK_IDLE" 'BEGIN { printf "%.2f×", r / b }'))"
    fi
    hold_s="$hold ms (every ${iv} ms, max $maxw waiting)"; [[ "$hold" == 0 ]] && hold_s="none seen (every ${iv} ms)"
    case "$how" in
      online) wall="start ${wstart} s, complete ${wcomplete} s"; how_s="strata online, batch $bs, run $rep" ;;
      pooled) wall="-"; how_s="**strata online, batch $bs: $REPEAT runs pooled**"; hold_s="-"
              ratio="**$ratio** (runs: ${rep// /, })"; rate_s="$rate_s median" ;;
      floor) wall="${wstart} s"; hold_s="-"
             if [[ "$name" == cpu ]]; then how_s="PL/pgSQL loop for $FLOOR_CPU_S s, run $rep"; else how_s="psql, $bs rows per statement, run $rep"; fi ;;
      floor_pooled) wall="-"; hold_s="-"; how_s="**$REPEAT runs pooled**"; ratio="**$ratio** (runs: ${rep// /, })"
             [[ "$name" == batched ]] && rate_s="$rate_s median" ;;
      *) wall="${wstart} s"; how_s="plain SQL" ;;
    esac
    echo "| $what | $how_s | $bn / $dn | $failed | $b50 → $d50 | $b99 → $d99 | $ratio | $hold_s | $rate_s | $wall |"
  done
  echo
  echo "Bulk UPDATE of the whole table, no load (\`ALTER TABLE accounts ADD COLUMN balance_new bigint; UPDATE accounts SET balance_new = balance::bigint\`): ${BULK_IDLE_S} s = **$BULK_IDLE rows/s**. Under load, the plain add_column row's rows/s is its transaction (ADD COLUMN + the same kind of UPDATE + SET NOT NULL) over the whole table."
  echo
  if [[ "$FLOOR" != 0 ]]; then
    echo "Machine floor rows (no migration, same load, sampler and windows): \`cpu\` = one session computing for $FLOOR_CPU_S s without I/O; \`batched\` = \`ADD COLUMN score bigint\`, then the whole table updated $FLOOR_BATCH rows per statement (one transaction each) by psql — no trigger, no strata: the least a batched backfill of this table can cost the load on this machine."
    echo
  fi
  echo "Plain SQL used: \`$PLAIN_alter_type\`; \`$PLAIN_add_notnull\` (DEFAULT 0 so the old app's inserts keep working afterwards); \`$PLAIN_index\`."
} >"$SECTION"
cat "$SECTION"

if [[ "$WRITE_RESULTS" != 0 ]]; then
  RES="${RESULTS_FILE:-$ROOT/bench/RESULTS.md}"
  [[ -f "$RES" ]] || echo "# Benchmark results" >"$RES"
  # The generated part sits between two markers inside `## zero downtime`; only it is replaced,
  # so hand-written analysis below it in the same section stays. No markers yet: the old
  # section (up to the next "## " heading) is replaced, or the section appended.
  BEGIN_MARK="<!-- bench/zero_downtime/run.sh: generated, begin -->"
  END_MARK="<!-- bench/zero_downtime/run.sh: generated, end -->"
  { echo "$BEGIN_MARK"; cat "$SECTION"; echo "$END_MARK"; } >"$SECTION.marked"
  awk -v sect="$SECTION.marked" -v b="$BEGIN_MARK" -v e="$END_MARK" '
    BEGIN { while ((getline l < sect) > 0) body = body l "\n" }
    { lines[NR] = $0 }
    $0 == b { has_marks = 1 }
    END {
      for (i = 1; i <= NR; i++) {
        l = lines[i]
        if (has_marks) {
          if (l == b) { printf "%s", body; skipping = 1; continue }
          if (skipping) { if (l == e) skipping = 0; continue }
          print l; continue
        }
        if (l ~ /^## /) { if (skipping) skipping = 0; if (l == "## zero downtime") { printf "%s", body; skipping = 1; done = 1; continue } }
        if (!skipping) print l
      }
      if (!has_marks && !done) printf "\n%s", body
    }' "$RES" >"$RES.tmp.$$"
  mv "$RES.tmp.$$" "$RES"
  log "updated $RES (## zero downtime)"
fi
