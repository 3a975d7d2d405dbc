#!/usr/bin/env bash
# Rollout benchmark of issue 6: one migration rolled out to TARGETS (1,000) databases with
# `strata rollout run`, at several parallelism levels. Goal: under 10 s on this machine.
#
# Setup (not timed): a throwaway PostgreSQL 15 cluster; a template database already managed
# by strata (migration 0001 applied, so every target has its history tables, as a fleet that
# strata already runs would); TARGETS databases created from it (CREATE DATABASE … TEMPLATE);
# a control database. The targets are listed by a `command` target (`cat targets.txt`, one
# "name URL" per line), as a shard fleet would be.
#
# Each measured run rolls out one new migration (run k adds column c<k>: the same work each
# time) to every target: `strata --env bench rollout run --parallelism P --json`, checked to
# report TARGETS targets done. Reference in the same run: the same ALTER TABLE sent to every
# database by `xargs -P P psql -c` (one process and connection per target, no history, no
# lock, no control database): what a shell loop over the fleet costs.
#
# Writes the `## rollout` section of bench/RESULTS.md (other sections are kept).
#
# Environment (all optional):
#   STRATA_BIN=path      strata binary (default: build-rollout/strata, else build/strata)
#   TARGETS=1000         target databases
#   PARALLELISM="1 4 16 32"
#   REFERENCE=1          also time the xargs/psql reference (0: skip)
#   FSYNC=off            server fsync (off: the shared disk's noise out; on: PostgreSQL default)
#   RESULTS=0            do not touch bench/RESULTS.md
#   PG_BIN=/usr/lib/postgresql/15/bin
#   KEEP=1               keep the work folder
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGETS="${TARGETS:-1000}"
PARALLELISM="${PARALLELISM:-1 4 16 32}"
REFERENCE="${REFERENCE:-1}"
FSYNC="${FSYNC:-off}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
WRITE_RESULTS="${RESULTS:-1}"

log() { printf '[rollout_bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in psql jq runuser ss xargs; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
STRATA="${STRATA_BIN:-}"
if [[ -z "$STRATA" ]]; then
  for cand in "$ROOT/build-rollout/strata" "$ROOT/build/strata" "$ROOT/build-release/strata"; do
    [[ -x "$cand" ]] && { STRATA="$cand"; break; }
  done
fi
[[ -x "$STRATA" ]] || die "no strata binary (build it: ninja -C build strata, or set STRATA_BIN)"
BUILD_DESC="$STRATA"
if [[ -f "$(dirname "$STRATA")/CMakeCache.txt" ]]; then
  bt=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$(dirname "$STRATA")/CMakeCache.txt")
  BUILD_DESC="${bt:-?} ($(basename "$(dirname "$STRATA")")/strata)"
fi

WORK="$(mktemp -d /tmp/strata-rollout-bench.XXXXXX)"
chmod 755 "$WORK"
mkdir -p "$WORK/data" "$WORK/sock" "$WORK/project/migrations/app"
chown postgres: "$WORK/data" "$WORK/sock"
PG_UP=0
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  if [[ "$PG_UP" == 1 ]]; then as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
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
as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/data/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$WORK/sock -c fsync=$FSYNC -c max_connections=200" \
  start >/dev/null || { cat "$WORK/data/server.log" >&2; die "pg_ctl start failed"; }
PG_UP=1
BASE="postgres://postgres@127.0.0.1:$PORT"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

# --- project ---------------------------------------------------------------------------------
cd "$WORK/project"
cat > strata.toml <<EOF
[project]
name = "rollout-bench"
environments = ["bench"]

[control]
url = "$BASE/control"

[environments.bench]
canary = 1

[services.app]
migrations = "migrations/app"
[services.app.targets]
bench = { command = "cat $WORK/targets.txt" }
EOF
cat > migrations/app/0001_accounts.sql <<'EOF'
-- +strata up
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
-- +strata down
DROP TABLE accounts;
EOF

log "creating the template and $TARGETS target databases"
"${PSQL[@]}" "$BASE/postgres" -c "CREATE DATABASE control" -c "CREATE DATABASE tmpl"
"$STRATA" --url "$BASE/tmpl" --dir migrations/app --service app apply -q
# No session may stay on the template while it is copied.
: > "$WORK/targets.txt"
{
  for i in $(seq -w 1 "$TARGETS"); do echo "CREATE DATABASE t$i TEMPLATE tmpl;"; done
} > "$WORK/create.sql"
setup_start=$(date +%s.%N)
"${PSQL[@]}" "$BASE/postgres" -f "$WORK/create.sql"
setup_end=$(date +%s.%N)
for i in $(seq -w 1 "$TARGETS"); do echo "shard-$i $BASE/t$i" >> "$WORK/targets.txt"; done
SETUP_S=$(awk "BEGIN { printf \"%.1f\", $setup_end - $setup_start }")
log "created $TARGETS databases in $SETUP_S s"

# The first rollout of 0001 records it as succeeded in bench (every target already has it).
"$STRATA" --env bench rollout run --parallelism 16 --json > "$WORK/first.json" 2>"$WORK/first.err" ||
  { cat "$WORK/first.err" >&2; die "first rollout failed"; }

# --- measured runs ---------------------------------------------------------------------------
declare -A STRATA_S REF_S CPU_S
k=1
for p in $PARALLELISM; do
  k=$((k + 1))
  id=$(printf '%04d' "$k")
  printf -- '-- +strata up\nALTER TABLE accounts ADD COLUMN c%s int;\n-- +strata down\nALTER TABLE accounts DROP COLUMN c%s;\n' \
    "$id" "$id" > "migrations/app/${id}_add_c${id}.sql"
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$WORK/time-$p" \
    "$STRATA" --env bench rollout run --parallelism "$p" --json > "$WORK/run-$p.json" 2>"$WORK/run-$p.err" ||
    { cat "$WORK/run-$p.err" >&2; die "rollout at parallelism $p failed"; }
  end=$(date +%s.%N)
  done_n=$(jq '.done' "$WORK/run-$p.json")
  applied=$(jq '.applied_migrations' "$WORK/run-$p.json")
  [[ "$done_n" == "$TARGETS" && "$applied" == "$TARGETS" ]] || die "parallelism $p: done $done_n, applied $applied"
  STRATA_S[$p]=$(awk "BEGIN { printf \"%.2f\", $end - $start }")
  CPU_S[$p]=$(awk '{ printf "%.2f", $1 + $2 }' "$WORK/time-$p")
  log "strata rollout, parallelism $p: ${STRATA_S[$p]} s ($done_n targets; strata's own CPU ${CPU_S[$p]} s)"
  if [[ "$REFERENCE" == 1 ]]; then
    start=$(date +%s.%N)
    cut -d' ' -f2 "$WORK/targets.txt" |
      xargs -P "$p" -I{} psql -X -q -v ON_ERROR_STOP=1 {} -c "ALTER TABLE accounts ADD COLUMN r$id int" ||
      die "reference at parallelism $p failed"
    end=$(date +%s.%N)
    REF_S[$p]=$(awk "BEGIN { printf \"%.2f\", $end - $start }")
    log "xargs -P $p psql -c, same ALTER: ${REF_S[$p]} s"
  fi
done

# Control-database writes of the last run (one row per target, written in batches).
rows=$("${PSQL[@]}" -At "$BASE/control" -c "SELECT count(*) FROM strata_control.rollout_targets WHERE rollout_id = (SELECT max(id) FROM strata_control.rollouts)")

# --- report ----------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
load=$(cut -d' ' -f1-3 /proc/loadavg)
section="$WORK/section.md"
{
  echo "## rollout"
  echo
  echo "\`bench/rollout_bench.sh\` ($(date -u +%Y-%m-%d)): one migration (\`ALTER TABLE accounts ADD COLUMN\`) rolled out"
  echo "to $TARGETS PostgreSQL 15 databases of one throwaway cluster (127.0.0.1, fsync=$FSYNC), listed by a"
  echo "\`command\` target, canary of 1 then one batch, with \`strata --env bench rollout run --parallelism P\`;"
  echo "every target already had strata's history (a managed fleet). Reference in the same run: the same ALTER"
  echo "sent by \`xargs -P P psql -c\` (a process and a connection per target; no history, lock or control"
  echo "database). $(nproc) vCPU (\`$cpu\`), load average before the run $load, strata $BUILD_DESC."
  echo
  echo "| parallelism | strata rollout run | strata's own CPU (user+sys) | xargs -P psql -c | strata / reference |"
  echo "|---|---|---|---|---|"
  for p in $PARALLELISM; do
    ref="${REF_S[$p]:-}"
    ratio="—"
    [[ -n "$ref" ]] && ratio=$(awk "BEGIN { printf \"%.2f\", ${STRATA_S[$p]} / $ref }")
    printf '| %s | %s s | %s s | %s | %s× |\n' "$p" "${STRATA_S[$p]}" "${CPU_S[$p]}" "${ref:+$ref s}" "$ratio"
  done
  echo
  echo "Goal: under 10 s for $TARGETS targets. Control database: $rows target rows per rollout, written"
  echo "in batches (one transaction per ≤64 results or 200 ms), not one transaction per target. Setup (not"
  echo "timed above): $TARGETS × CREATE DATABASE … TEMPLATE took $SETUP_S s."
} > "$section"
cat "$section"

if [[ "$WRITE_RESULTS" == 1 ]]; then
  results="$ROOT/bench/RESULTS.md"
  python3 - "$results" "$section" <<'EOF'
import re, sys
path, sec = sys.argv[1], open(sys.argv[2]).read().rstrip() + "\n"
text = open(path).read() if __import__("os").path.exists(path) else "# Benchmark results\n"
pattern = re.compile(r"^## rollout\n.*?(?=^## |\Z)", re.S | re.M)
if pattern.search(text):
    text = pattern.sub(sec + "\n", text)
else:
    text = text.rstrip() + "\n\n" + sec
open(path, "w").write(text)
EOF
  log "wrote the rollout section of $results"
fi
