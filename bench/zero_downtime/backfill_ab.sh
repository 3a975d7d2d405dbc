#!/usr/bin/env bash
# Backfill A/B (issue 4): rows/s of `strata online start` (the backfill of ROWS rows, idle, no
# load) against one bulk UPDATE computing the same column, for two strata binaries (before /
# after a change), alternating A and B in each round so drift of the machine hits both. A third
# variant runs the B binary as a non-superuser owner of the database, where
# session_replication_role = replica is not permitted (the backfill falls back to the
# `strata.backfill` flag the trigger tests). Prints a Markdown table on stdout; bench/RESULTS.md
# is written by hand from it ("backfill A/B" under `## zero downtime`).
#
# Environment (all optional):
#   STRATA_A=path  STRATA_B=path   the two binaries (default: both build/strata)
#   ROWS=1000000   RUNS=3          rows in the table; rounds
#   BATCH_SIZE=5000                strata --batch-size
#   MIGRATIONS="alter_type add_notnull"   which migration(s) (see MIG_* below)
#   PG_BIN=$(pg_config --bindir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-3}"
BATCH_SIZE="${BATCH_SIZE:-5000}"
MIGRATIONS="${MIGRATIONS:-alter_type add_notnull}"
STRATA_A="${STRATA_A:-$ROOT/build/strata}"
STRATA_B="${STRATA_B:-$ROOT/build/strata}"
PG_BIN="${PG_BIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}"

log() { printf '[backfill_ab] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
for tool in jq runuser awk; do command -v "$tool" >/dev/null || die "$tool is required"; done
for b in "$STRATA_A" "$STRATA_B"; do [[ -x "$b" ]] || die "no strata binary $b"; done

WORK="$(mktemp -d /tmp/strata-bf-ab.XXXXXX)"
chmod 755 "$WORK"
mkdir -p "$WORK/data" "$WORK/sock"
chown postgres: "$WORK/data" "$WORK/sock"
as_pg() { runuser -u postgres -- "$@"; }
PG_UP=0
cleanup() {
  [[ "$PG_UP" == 1 ]] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(awk 'BEGIN { srand(); print 20000 + int(rand() * 20000) }')
while ss -ltn 2>/dev/null | grep -q ":$PORT "; do PORT=$((PORT + 1)); done
as_pg "$PG_BIN/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/sock/server.log" -o \
  "-p $PORT -k $WORK/sock -c listen_addresses=127.0.0.1 -c max_wal_size=4GB -c checkpoint_timeout=30min" \
  start >/dev/null
PG_UP=1
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
q() { "${PSQL[@]}" -At -d "$1" -c "$2"; }
now() { date +%s.%N; }

log "loading $ROWS rows (same table as run.sh)"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE tpl" -c "CREATE ROLE app LOGIN"
"${PSQL[@]}" -d tpl <<SQL
CREATE TABLE accounts (id bigint PRIMARY KEY, balance int NOT NULL, note text NOT NULL, filler text);
INSERT INTO accounts SELECT g, (g::bigint * 7919) % 100000, 'note ' || (g % 5000), repeat('x', 60)
  FROM generate_series(1, $ROWS) g;
ALTER TABLE accounts OWNER TO app;
VACUUM ANALYZE accounts;
SQL

fresh_db() {  # fresh_db NAME: a copy of the template owned by app
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE tpl OWNER app"
  q "$1" "VACUUM ANALYZE accounts" >/dev/null
  q postgres "CHECKPOINT" >/dev/null
}

MIG_alter_type='{"name": "widen_balance", "operations": [{"alter_column": {"table": "accounts", "column": "balance", "type": "bigint", "up": "balance::bigint", "down": "balance::int"}}]}'
BULK_alter_type='ALTER TABLE accounts ADD COLUMN b2 bigint; UPDATE accounts SET b2 = balance::bigint'
MIG_add_notnull='{"name": "add_score", "operations": [{"add_column": {"table": "accounts", "up": "balance * 2", "column": {"name": "score", "type": "bigint", "nullable": false}}}]}'
BULK_add_notnull='ALTER TABLE accounts ADD COLUMN s2 bigint; UPDATE accounts SET s2 = balance * 2'

online_rate() {  # online_rate BIN USER MIGRATION: rows/s of the backfill
  local db="ab" mig="MIG_$3"
  fresh_db "$db"
  echo "${!mig}" >"$WORK/m.json"
  "$1" --json --url "postgres://$2@127.0.0.1:$PORT/$db" online start "$WORK/m.json" --batch-size "$BATCH_SIZE" \
    >"$WORK/out.json" 2>"$WORK/err" || die "online start failed: $(cat "$WORK/err")"
  jq '[.targets[0].backfill[]?.rate_rows_per_s] | add // 0 | round' "$WORK/out.json"
}
bulk_rate() {  # bulk_rate MIGRATION: rows/s of one bulk UPDATE computing the same column
  local db="ab" bulk="BULK_$1" a b
  fresh_db "$db"
  a=$(now); "${PSQL[@]}" -At -d "$db" -c "${!bulk}" >/dev/null; b=$(now)
  awk -v r="$ROWS" -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", r / (b - a) }'
}

DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "| migration | round | bulk UPDATE rows/s | A rows/s (ratio) | B rows/s (ratio) | B, no replica role rows/s (ratio) |"
echo "|---|---|---|---|---|---|"
for m in $MIGRATIONS; do
  for r in $(seq 1 "$RUNS"); do
    bulk=$(bulk_rate "$m")
    a=$(online_rate "$STRATA_A" postgres "$m")
    b=$(online_rate "$STRATA_B" postgres "$m")
    c=$(online_rate "$STRATA_B" app "$m")
    ratio() { awk -v x="$1" -v y="$bulk" 'BEGIN { printf "%.2f", x / y }'; }
    line="| $m | $r | $bulk | $a ($(ratio "$a")×) | $b ($(ratio "$b")×) | $c ($(ratio "$c")×) |"
    echo "$line"
    log "$line"
  done
done
echo
echo "$DATE; $(nproc) vCPU; PostgreSQL $(q postgres 'SHOW server_version'); $ROWS rows, batch $BATCH_SIZE;" \
  "load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg); A = $STRATA_A, B = $STRATA_B"
