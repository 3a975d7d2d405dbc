#!/usr/bin/env bash
# Core benchmarks of issue 2:
#   1. apply COUNT generated migrations (each: one table + one index) to an empty database,
#      strata vs `psql -X -q -1 -v ON_ERROR_STOP=1 -f all.sql` on the same SQL.
#      Goal: strata median <= 1.1 x psql median (ratio from the same run, runs alternate).
#   2. `strata status` on a target with COUNT applied (hyperfine). Goal: < 20 ms.
# Starts its own throwaway PostgreSQL 15 cluster, removes it at the end, and writes the
# `## core` section of bench/RESULTS.md (other sections are kept).
#
# Environment (all optional):
#   STRATA_BIN=path     use this binary instead of building one
#   BUILD_TYPE=Release  Release (default: tree build-release) or RelWithDebInfo (tree build)
#   COUNT=1000          migrations to generate
#   RUNS=5              apply runs per tool (median reported)
#   STATUS_RUNS=30      hyperfine runs for status
#   FSYNC=on|off|tmpfs|both|all  server setting(s) to measure (default all = on, off, tmpfs;
#                       on is the PostgreSQL default; tmpfs is fsync=off with the data folder in
#                       /dev/shm, which removes the shared disk's noise and shows the CPU-bound ratio)
#   RESULTS=0           do not touch bench/RESULTS.md
#   PG_BIN=/usr/lib/postgresql/15/bin
#   BUILD_NOTE=text     added to the build line of the report (e.g. which commit a given binary is)
#   KEEP=1              keep the work folder (cluster, migrations) for inspection
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT="${COUNT:-1000}"
RUNS="${RUNS:-5}"
STATUS_RUNS="${STATUS_RUNS:-30}"
FSYNC="${FSYNC:-all}"
BUILD_TYPE="${BUILD_TYPE:-Release}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
WRITE_RESULTS="${RESULTS:-1}"

log() { printf '[core_bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in psql hyperfine jq runuser; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
[[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || die "PostgreSQL binaries not found in $PG_BIN"

# ---------------------------------------------------------------------------------------------
# 1. strata binary
if [[ -n "${STRATA_BIN:-}" ]]; then
  STRATA="$STRATA_BIN"
  BUILD_DESC="given binary ($STRATA_BIN)"
else
  if [[ "$BUILD_TYPE" == "Release" ]]; then BUILD_DIR="$ROOT/build-release"; else BUILD_DIR="$ROOT/build"; fi
  if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
    log "configuring $BUILD_DIR ($BUILD_TYPE)"
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >&2
  fi
  log "building strata in $BUILD_DIR"
  ninja -C "$BUILD_DIR" -j2 strata >&2
  STRATA="$BUILD_DIR/strata"
  BUILD_DESC="$BUILD_TYPE ($BUILD_DIR)"
fi
[[ -x "$STRATA" ]] || die "no strata binary at $STRATA"
if [[ -f "$(dirname "$STRATA")/CMakeCache.txt" ]]; then
  bt=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$(dirname "$STRATA")/CMakeCache.txt")
  BUILD_DESC="${bt:-RelWithDebInfo (CMakeLists default)} ($STRATA)"
fi
[[ -z "${BUILD_NOTE:-}" ]] || BUILD_DESC="$BUILD_DESC; $BUILD_NOTE"

# ---------------------------------------------------------------------------------------------
# 2. throwaway cluster
WORK="$(mktemp -d /tmp/strata-core-bench.XXXXXX)"
chmod 755 "$WORK"
mkdir -p "$WORK/data" "$WORK/sock"
chown postgres: "$WORK/data" "$WORK/sock"
PG_UP=0

as_pg() { runuser -u postgres -- "$@"; }

DATA="$WORK/data"  # the running cluster's folder ($SHM/data for the tmpfs mode)
SHM=""
stop_pg() {
  if [[ "$PG_UP" == 1 ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    PG_UP=0
  fi
}
cleanup() {
  stop_pg
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
  [[ -z "$SHM" ]] || rm -rf "$SHM"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 30000))
    if ! ss -Htln "sport = :$p" | grep -q .; then echo "$p"; return; fi
  done
  die "no free port found"
}

as_pg "$PG_BIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 --no-locale >"$WORK/initdb.log" 2>&1 ||
  { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
PORT="$(free_port)"

start_pg() {  # $1 = on|off|tmpfs
  local fsync="$1"
  DATA="$WORK/data"
  if [[ "$1" == tmpfs ]]; then
    fsync=off
    if [[ -z "$SHM" ]]; then
      SHM="$(mktemp -d /dev/shm/strata-core-bench.XXXXXX)"
      chmod 755 "$SHM"
      mkdir -p "$SHM/data" && chown postgres: "$SHM/data"
      as_pg "$PG_BIN/initdb" -D "$SHM/data" -U postgres --auth=trust -E UTF8 --no-locale >"$WORK/initdb-shm.log" 2>&1 ||
        { cat "$WORK/initdb-shm.log" >&2; die "initdb (tmpfs) failed"; }
    fi
    DATA="$SHM/data"
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$WORK/sock -c fsync=$fsync" start >/dev/null ||
    { tail -20 "$DATA/server.log" >&2; die "cannot start PostgreSQL"; }
  PG_UP=1
}

BASE_URL="postgres://postgres@127.0.0.1:$PORT"
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$BASE_URL/postgres" -Atc "$1"; }

# ---------------------------------------------------------------------------------------------
# 3. migrations
MIG="$WORK/migrations"
mkdir -p "$MIG"
: >"$WORK/all.sql"
for i in $(seq 1 "$COUNT"); do
  n=$(printf '%04d' "$i")
  up="CREATE TABLE t_$n (id bigint PRIMARY KEY, name text, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX t_${n}_name ON t_$n (name);"
  printf -- '-- +strata up\n%s\n-- +strata down\nDROP TABLE t_%s;\n' "$up" "$n" >"$MIG/${n}_create_t_$n.sql"
  printf '%s\n' "$up" >>"$WORK/all.sql"
done

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ms() { awk -v ns="$1" 'BEGIN {printf "%.0f\n", ns/1e6}'; }

declare -A PSQL_MED STRATA_MED RATIO PAIRED PSQL_ALL STRATA_ALL
STATUS_MEAN="" STATUS_MEDIAN="" STATUS_STDDEV="" STATUS_MIN="" BASE_MEAN="" BASE_MEDIAN=""

run_apply_bench() {  # $1 = fsync on|off
  local mode="$1" i order db t0 t1 p s
  local -a pt=() st=()
  log "fsync=$mode: $RUNS runs per tool, alternating"
  for i in $(seq 1 "$RUNS"); do
    # Alternate which tool goes first so that drift (other load, cache warmth) hits both.
    if (( i % 2 )); then order="psql strata"; else order="strata psql"; fi
    for tool in $order; do
      db="b_${mode}_${tool}_$i"
      q "CREATE DATABASE $db"
      sync
      if [[ $tool == psql ]]; then
        t0=$(now_ns)
        psql -X -q -1 -v ON_ERROR_STOP=1 -d "$BASE_URL/$db" -f "$WORK/all.sql" >/dev/null
        t1=$(now_ns)
        pt+=($((t1 - t0)))
      else
        t0=$(now_ns)
        "$STRATA" --url "$BASE_URL/$db" --dir "$MIG" apply -q
        t1=$(now_ns)
        st+=($((t1 - t0)))
      fi
      local tables
      tables=$(psql -X -d "$BASE_URL/$db" -Atc "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE 't\_%'")
      [[ "$tables" == "$COUNT" ]] || die "$tool created $tables tables in $db, expected $COUNT"
      log "  run $i $tool: $(ms $((t1 - t0))) ms"
      # Keep the last strata database for the status benchmark.
      if [[ $tool == psql || $i != "$RUNS" ]]; then q "DROP DATABASE $db"; else LAST_DB="$db"; fi
    done
  done
  p=$(printf '%s\n' "${pt[@]}" | median)
  s=$(printf '%s\n' "${st[@]}" | median)
  PSQL_MED[$mode]=$(ms "$p")
  STRATA_MED[$mode]=$(ms "$s")
  RATIO[$mode]=$(awk -v a="$s" -v b="$p" 'BEGIN {printf "%.2f", a/b}')
  # Run i's two measurements are adjacent in time, so their ratio survives load swings (a
  # shared disk under fsync=on can change speed 3x between runs) better than a ratio of medians.
  PAIRED[$mode]=$(for k in "${!pt[@]}"; do awk -v a="${st[$k]}" -v b="${pt[$k]}" 'BEGIN {print a/b}'; done | median |
    awk '{printf "%.2f", $1}')
  PSQL_ALL[$mode]=$(for x in "${pt[@]}"; do ms "$x"; done | paste -sd' ')
  STRATA_ALL[$mode]=$(for x in "${st[@]}"; do ms "$x"; done | paste -sd' ')
}

run_status_bench() {
  local url="$BASE_URL/$LAST_DB" json="$WORK/status.json" applied
  applied=$("$STRATA" --url "$url" --dir "$MIG" status --json | jq '.targets[0].applied | length')
  [[ "$applied" == "$COUNT" ]] || die "status reports $applied applied, expected $COUNT"
  log "status on $COUNT applied: hyperfine --warmup 3 --runs $STATUS_RUNS"
  hyperfine -N --warmup 3 --runs "$STATUS_RUNS" --export-json "$json" \
    "$STRATA --url $url --dir $MIG status" \
    "psql -X -q -d $url -c 'SELECT 1'" >&2
  STATUS_MEAN=$(jq '.results[0].mean * 1000 | . * 10 | round / 10' "$json")
  STATUS_MEDIAN=$(jq '.results[0].median * 1000 | . * 10 | round / 10' "$json")
  STATUS_STDDEV=$(jq '.results[0].stddev * 1000 | . * 10 | round / 10' "$json")
  STATUS_MIN=$(jq '.results[0].min * 1000 | . * 10 | round / 10' "$json")
  BASE_MEAN=$(jq '.results[1].mean * 1000 | . * 10 | round / 10' "$json")
  BASE_MEDIAN=$(jq '.results[1].median * 1000 | . * 10 | round / 10' "$json")
}

log "generating $COUNT migrations and strata.sum"
case "$FSYNC" in
  on|off|tmpfs) MODES=("$FSYNC") ;;
  both) MODES=(on off) ;;
  all) MODES=(on off tmpfs) ;;
  *) die "FSYNC must be on, off, tmpfs, both or all" ;;
esac

first=1
for mode in "${MODES[@]}"; do
  stop_pg
  start_pg "$mode"
  if (( first )); then
    PG_VERSION=$(q "SHOW server_version")
    "$STRATA" --url "$BASE_URL/postgres" --dir "$MIG" -q hash >/dev/null
    [[ -f "$MIG/strata.sum" ]] || die "strata hash wrote no strata.sum"
    first=0
  fi
  run_apply_bench "$mode"
  # status is measured once, on the default-durability server (it only reads).
  if [[ "$mode" == "${MODES[0]}" ]]; then run_status_bench; fi
  q "DROP DATABASE $LAST_DB"
done

# ---------------------------------------------------------------------------------------------
# 4. report
MODEL=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
NPROC=$(nproc)
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "${STRATA_BIN:-}" ]]; then COMMIT="$COMMIT; binary given, see build line"
elif ! git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null; then COMMIT="$COMMIT + uncommitted changes in src/"; fi
pass() { awk -v v="$1" -v lim="$2" 'BEGIN {print (v <= lim) ? "**met**" : "**missed**"}'; }
passlt() { awk -v v="$1" -v lim="$2" 'BEGIN {print (v < lim) ? "**met**" : "**missed**"}'; }

SECTION="$WORK/core.md"
{
  echo "## core"
  echo
  echo "Written by \`bench/core_bench.sh\` on $DATE (commit $COMMIT)."
  echo
  echo "- machine: $NPROC CPUs, $MODEL (shared with other work; ratios come from one run, tools alternating)"
  echo "- PostgreSQL $PG_VERSION, throwaway cluster from \`initdb\` defaults, TCP on 127.0.0.1, server settings identical for both tools"
  echo "- strata build: $BUILD_DESC"
  echo "- workload: $COUNT migrations, each \`CREATE TABLE t_NNNN (id bigint PRIMARY KEY, name text, created_at timestamptz NOT NULL DEFAULT now()); CREATE INDEX t_NNNN_name ON t_NNNN (name);\`; a fresh \`CREATE DATABASE\` per run"
  echo
  echo "### apply $COUNT migrations to an empty database (goal: strata ≤ 1.1 × psql)"
  echo
  echo "- psql: \`psql -X -q -1 -v ON_ERROR_STOP=1 -f all.sql\` (all $COUNT up sections in one file, one transaction)"
  echo "- strata: \`strata --url postgres://postgres@127.0.0.1:PORT/DB --dir DIR apply -q\` (with \`strata.sum\`)"
  echo "- wall time including process start and connection; median of $RUNS runs each"
  echo
  echo "Two ratios: of the medians, and the median of the per-run ratios (run i of strata against run i of"
  echo "psql, measured back to back). When the machine's speed shifts during the run (shared CPUs and disk)"
  echo "the per-run ratio is the more trustworthy one; the goal is judged on it."
  echo
  echo "| server | psql median | strata median | ratio of medians | median per-run ratio | goal ≤ 1.1 | psql runs (ms) | strata runs (ms) |"
  echo "| --- | ---: | ---: | ---: | ---: | --- | --- | --- |"
  for mode in "${MODES[@]}"; do
    label="fsync=$mode"; [[ $mode == on ]] && label="fsync=on (default)"
    [[ $mode == tmpfs ]] && label="fsync=off, data in tmpfs (no disk noise)"
    echo "| $label | ${PSQL_MED[$mode]} ms | ${STRATA_MED[$mode]} ms | ${RATIO[$mode]} | ${PAIRED[$mode]} | $(pass "${PAIRED[$mode]}" 1.1) | ${PSQL_ALL[$mode]} | ${STRATA_ALL[$mode]} |"
  done
  echo
  echo "### status with $COUNT applied (goal: < 20 ms)"
  echo
  echo "- \`hyperfine -N --warmup 3 --runs $STATUS_RUNS 'strata --url … --dir DIR status'\` (fsync=${MODES[0]} server)"
  echo
  echo "| command | mean | median | min | σ | goal < 20 ms |"
  echo "| --- | ---: | ---: | ---: | ---: | --- |"
  echo "| strata status | $STATUS_MEAN ms | $STATUS_MEDIAN ms | $STATUS_MIN ms | $STATUS_STDDEV ms | $(passlt "$STATUS_MEDIAN" 20) |"
  echo "| reference: \`psql -X -q -c 'SELECT 1'\` (process start + connect) | $BASE_MEAN ms | $BASE_MEDIAN ms | | | |"
  echo
} >"$SECTION"

cat "$SECTION"

if [[ "$WRITE_RESULTS" != 0 ]]; then
  RES="$ROOT/bench/RESULTS.md"
  [[ -f "$RES" ]] || printf '# Benchmark results\n\nEach section is written by its benchmark script (see bench/README.md).\n\n' >"$RES"
  # Replace the `## core` section (up to the next `## ` heading), or append it; keep the rest.
  awk -v sect="$SECTION" '
    BEGIN { while ((getline l < sect) > 0) body = body l "\n" }
    /^## / { if (skipping) skipping = 0; if ($0 == "## core") { printf "%s", body; skipping = 1; done = 1; next } }
    !skipping { print }
    END { if (!done) printf "\n%s", body }
  ' "$RES" >"$RES.tmp.$$"
  mv "$RES.tmp.$$" "$RES"
  log "updated $RES (## core)"
fi
