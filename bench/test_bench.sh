#!/usr/bin/env bash
# Benchmarks of issue 5 (strata test):
#   1. sandbox start: `strata sandbox up` on an empty folder (initdb + start) and on an existing
#      stopped cluster (start only). Goal: < 3 s.
#   2. `strata test` on a generated 200-migration history (tables, indexes, added columns; every
#      migration up, down, up again with schema snapshots, lock probe, then the whole chain down
#      and up), in a private cluster started by the run and in an already running project
#      sandbox. Goal: < 60 s.
# Writes the `## test` section of bench/RESULTS.md (other sections are kept).
#
# Environment (all optional):
#   STRATA_BIN=path   use this binary (default: build/strata of this tree, built if missing)
#   COUNT=200         migrations to generate
#   RUNS=3            runs per measurement (median reported)
#   RESULTS=0         do not touch bench/RESULTS.md
#   KEEP=1            keep the work folder
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT="${COUNT:-200}"
RUNS="${RUNS:-3}"
WRITE_RESULTS="${RESULTS:-1}"
log() { printf '[test_bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
command -v jq >/dev/null || die "jq is required"

if [[ -n "${STRATA_BIN:-}" ]]; then
  STRATA="$STRATA_BIN"
else
  BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
  [[ -f "$BUILD_DIR/build.ninja" ]] || cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  ninja -C "$BUILD_DIR" -j2 strata >&2
  STRATA="$BUILD_DIR/strata"
fi
[[ -x "$STRATA" ]] || die "no strata binary at $STRATA"

WORK="$(mktemp -d /tmp/strata-test-bench-XXXXXX)"
chmod 755 "$WORK"
cleanup() {
  "$STRATA" sandbox down --sandbox-dir "$WORK/sandbox" >/dev/null 2>&1 || true
  (cd "$WORK/project" 2>/dev/null && "$STRATA" --dir migrations sandbox down >/dev/null 2>&1) || true
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

# --- 1. sandbox start -------------------------------------------------------------------------
cold=(); warm=()
for ((i = 1; i <= RUNS; i++)); do
  rm -rf "$WORK/sandbox"
  t0=$(now_ms); "$STRATA" sandbox up --sandbox-dir "$WORK/sandbox" >/dev/null; t1=$(now_ms)
  cold+=($((t1 - t0)))
  "$STRATA" sandbox down --sandbox-dir "$WORK/sandbox" >/dev/null
  t0=$(now_ms); "$STRATA" sandbox up --sandbox-dir "$WORK/sandbox" >/dev/null; t1=$(now_ms)
  warm+=($((t1 - t0)))
  "$STRATA" sandbox down --sandbox-dir "$WORK/sandbox" --purge >/dev/null
done
cold_med=$(printf '%s\n' "${cold[@]}" | median)
warm_med=$(printf '%s\n' "${warm[@]}" | median)
log "sandbox up: initdb+start ${cold[*]} ms (median $cold_med); start ${warm[*]} ms (median $warm_med)"

# --- 2. strata test on COUNT migrations -------------------------------------------------------
mkdir -p "$WORK/project/migrations"
for ((i = 1; i <= COUNT; i++)); do
  id=$(printf '%04d' "$i")
  if (( i % 5 == 0 )); then
    prev=$(printf '%04d' $((i - 1)))
    printf -- '-- +strata up\nALTER TABLE t_%s ADD COLUMN extra text;\nCREATE INDEX t_%s_extra ON t_%s (extra);\n-- +strata down\nDROP INDEX t_%s_extra;\nALTER TABLE t_%s DROP COLUMN extra;\n' \
      "$prev" "$prev" "$prev" "$prev" "$prev" > "$WORK/project/migrations/${id}_alter_t_${prev}.sql"
  else
    printf -- '-- +strata up\nCREATE TABLE t_%s (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\nCREATE INDEX t_%s_name ON t_%s (name);\n-- +strata down\nDROP TABLE t_%s;\n' \
      "$id" "$id" "$id" "$id" > "$WORK/project/migrations/${id}_create_t_${id}.sql"
  fi
done

private=(); reused=(); steps=""
for ((i = 1; i <= RUNS; i++)); do
  t0=$(now_ms)
  (cd "$WORK/project" && "$STRATA" --dir migrations test --json > "$WORK/private.json") || die "strata test failed: $(head -c 2000 "$WORK/private.json")"
  t1=$(now_ms)
  private+=($((t1 - t0)))
done
steps=$(jq '[.services[].steps | length] | add' "$WORK/private.json")
failures=$(jq '[.services[].failures] | add' "$WORK/private.json")
(cd "$WORK/project" && "$STRATA" --dir migrations sandbox up >/dev/null)
for ((i = 1; i <= RUNS; i++)); do
  t0=$(now_ms)
  (cd "$WORK/project" && "$STRATA" --dir migrations test --json > "$WORK/reused.json") || die "strata test (sandbox) failed"
  t1=$(now_ms)
  reused+=($((t1 - t0)))
done
[[ "$(jq -r .sandbox "$WORK/reused.json")" == "project sandbox" ]] || die "the project sandbox was not reused"
private_med=$(printf '%s\n' "${private[@]}" | median)
reused_med=$(printf '%s\n' "${reused[@]}" | median)
log "strata test $COUNT migrations: private cluster ${private[*]} ms (median $private_med); project sandbox ${reused[*]} ms (median $reused_med); $steps steps, $failures failures"

verdict() { (( $1 < $2 )) && echo "**met**" || echo "**missed**"; }
if [[ "$WRITE_RESULTS" == 1 ]]; then
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  pgv=$(/usr/lib/postgresql/15/bin/postgres --version 2>/dev/null || echo "PostgreSQL 15")
  section="$WORK/section.md"
  {
    echo "## test"
    echo
    echo "Written by \`bench/test_bench.sh\` on $(date -u +%Y-%m-%dT%H:%MZ) (commit $commit)."
    echo
    echo "- machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') (shared with other work), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- $pgv; clusters from \`initdb\` as \`strata sandbox\` makes them (trust auth, fsync off, 127.0.0.1)"
    echo "- binary: $STRATA"
    echo
    echo "### sandbox start (goal: < 3 s)"
    echo
    echo "| measurement | runs (ms) | median | goal < 3 s |"
    echo "| --- | --- | ---: | --- |"
    echo "| \`strata sandbox up\` on an empty folder (initdb + start + ready) | ${cold[*]} | $cold_med ms | $(verdict "$cold_med" 3000) |"
    echo "| \`strata sandbox up\` of a stopped cluster (start + ready) | ${warm[*]} | $warm_med ms | $(verdict "$warm_med" 3000) |"
    echo
    echo "### strata test on $COUNT migrations (goal: < 60 s)"
    echo
    echo "History: $COUNT generated migrations (4 of 5 \`CREATE TABLE\` + index, 1 of 5 \`ADD COLUMN\` + index on the previous table), each with a down."
    echo "Per migration: lock probe, up, snapshot, down, snapshot compare, up again, snapshot compare; then the whole chain down and up with compares: $steps steps, $failures failures."
    echo "Wall time of \`strata --dir migrations test --json\`, including process start."
    echo
    echo "| where | runs (ms) | median | goal < 60 s |"
    echo "| --- | --- | ---: | --- |"
    echo "| private cluster (started and deleted by the run) | ${private[*]} | $private_med ms | $(verdict "$private_med" 60000) |"
    echo "| running project sandbox (\`strata sandbox up\` first) | ${reused[*]} | $reused_med ms | $(verdict "$reused_med" 60000) |"
    echo
  } > "$section"
  results="$ROOT/bench/RESULTS.md"
  # Replace the old `## test` section (up to the next `## `), keep the others.
  awk -v f="$section" '
    /^## / { if (skip) skip = 0; if ($0 == "## test") { skip = 1; next } }
    !skip { print }
  ' "$results" > "$WORK/results.tmp"
  { cat "$WORK/results.tmp"; echo; cat "$section"; } | cat -s > "$results"
  log "wrote the ## test section of $results"
fi
