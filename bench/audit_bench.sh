#!/usr/bin/env bash
# Cost of the hash-chained audit (issue 6):
#   1. apply COUNT migrations (one small table each) to an empty database with this strata, and
#      — when BASE_BIN names a strata built before the chain — with that one, runs alternating,
#      on the same throwaway server: the chain's overhead per migration.
#   2. `strata audit verify` on the resulting trail (apply COUNT, rollback COUNT, apply COUNT:
#      3 × COUNT records + the hash record), median of VERIFY_RUNS.
# Starts a throwaway PostgreSQL with `strata sandbox` (fsync=off), deletes it at the end, and
# writes the `## audit chain` section of bench/RESULTS.md (other sections are kept).
#
# Environment (all optional):
#   STRATA_BIN=path   the strata to measure (default build/strata)
#   BASE_BIN=path     a strata without the chain, for the ratio (e.g. a build of main before it)
#   COUNT=1000  RUNS=3  VERIFY_RUNS=5  RESULTS=0 (do not touch bench/RESULTS.md)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STRATA="${STRATA_BIN:-$ROOT/build/strata}"
BASE="${BASE_BIN:-}"
COUNT="${COUNT:-1000}"
RUNS="${RUNS:-3}"
VERIFY_RUNS="${VERIFY_RUNS:-5}"
WRITE_RESULTS="${RESULTS:-1}"
log() { printf '[audit_bench] %s\n' "$*" >&2; }
[[ -x "$STRATA" ]] || { log "no strata at $STRATA (set STRATA_BIN)"; exit 1; }

W="$(mktemp -d /tmp/strata-audit-bench.XXXXXX)"
chmod 755 "$W"
cleanup() { "$STRATA" sandbox down --sandbox-dir "$W/sb" --purge >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT

"$STRATA" sandbox up --sandbox-dir "$W/sb" >/dev/null
mkdir -p "$W/migrations"
for i in $(seq -w 1 "$COUNT"); do
  printf -- '-- +strata up\nCREATE TABLE t_%s (id bigint PRIMARY KEY, name text);\n-- +strata down\nDROP TABLE t_%s;\n' \
    "$i" "$i" > "$W/migrations/${i}_t.sql"
done
"$STRATA" --dir "$W/migrations" hash -q --offline

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
apply_ms() {  # binary, database name
  local url; url="$("$STRATA" sandbox url --sandbox-dir "$W/sb" --db "$2")"
  local t0; t0=$(now_ms)
  "$1" --url "$url" --dir "$W/migrations" apply -q 2>/dev/null
  echo $(( $(now_ms) - t0 ))
}

new_runs=(); base_runs=(); ratios=()
for r in $(seq 1 "$RUNS"); do
  if [[ -n "$BASE" ]]; then
    b=$(apply_ms "$BASE" "base_$r"); base_runs+=("$b")
  fi
  n=$(apply_ms "$STRATA" "new_$r"); new_runs+=("$n")
  [[ -n "$BASE" ]] && ratios+=("$(awk -v n="$n" -v b="$b" 'BEGIN {printf "%.2f", n / b}')")
  log "run $r: new ${n} ms${BASE:+, base ${b} ms}"
done
new_med=$(printf '%s\n' "${new_runs[@]}" | median)

url="$("$STRATA" sandbox url --sandbox-dir "$W/sb" --db new_1)"
"$STRATA" --url "$url" --dir "$W/migrations" rollback --steps "$COUNT" -q 2>/dev/null
"$STRATA" --url "$url" --dir "$W/migrations" apply -q 2>/dev/null
records=$("$STRATA" --url "$url" --dir "$W/migrations" --json audit verify | jq '.chains[0].records')
verify_runs=()
for r in $(seq 1 "$VERIFY_RUNS"); do
  t0=$(now_ms)
  "$STRATA" --url "$url" --dir "$W/migrations" audit verify -q
  verify_runs+=("$(( $(now_ms) - t0 ))")
done
verify_med=$(printf '%s\n' "${verify_runs[@]}" | median)

load=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
pgv=$(psql --version 2>/dev/null | awk '{print $3}')
{
  echo "## audit chain"
  echo
  echo "\`bench/audit_bench.sh\` ($(date -u +%Y-%m-%d)): $(nproc) vCPU ($cpu, shared with other work, load average $load),"
  echo "PostgreSQL ${pgv:-15} from \`strata sandbox\` (fsync=off), RelWithDebInfo builds. $COUNT migrations, each one"
  echo "\`CREATE TABLE\`; wall time including process start; runs alternate between the binaries."
  echo
  echo "| what | runs (ms) | median |"
  echo "| --- | --- | ---: |"
  echo "| apply $COUNT, hash-chained audit | ${new_runs[*]} | ${new_med} ms |"
  if [[ -n "$BASE" ]]; then
    base_med=$(printf '%s\n' "${base_runs[@]}" | median)
    ratio_med=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "| apply $COUNT, audit without chain (\`$(basename "$(dirname "$BASE")")/$(basename "$BASE")\`, before) | ${base_runs[*]} | ${base_med} ms |"
    echo "| per-run ratio chained / unchained | ${ratios[*]} | ${ratio_med}× |"
  fi
  echo "| \`audit verify\`, $records records (recompute every hash in C++) | ${verify_runs[*]} | ${verify_med} ms |"
  echo
} > "$W/section.md"
cat "$W/section.md"

if [[ "$WRITE_RESULTS" == "1" ]]; then
  python3 - "$ROOT/bench/RESULTS.md" "$W/section.md" <<'PY'
import re, sys
path, section = sys.argv[1], open(sys.argv[2]).read()
text = open(path).read()
pattern = re.compile(r"^## audit chain\n.*?(?=^## |\Z)", re.S | re.M)
text = pattern.sub(lambda m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
PY
  log "wrote the audit chain section of bench/RESULTS.md"
fi
