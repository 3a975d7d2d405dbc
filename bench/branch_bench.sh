#!/usr/bin/env bash
# strata check --base / strata rebase on a large history, against the floor of reading the base
# at all (git archive of the migrations folder, unpacked). Not a test: figures go to
# bench/RESULTS.md. Usage: bench/branch_bench.sh [BUILD_DIR] [MIGRATIONS] [RUNS]
set -euo pipefail
BUILD=${1:-build}
N=${2:-1000}
RUNS=${3:-5}
S=$(cd "$BUILD" && pwd)/strata
W=$(mktemp -d /tmp/strata-branch-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
git init -q -b main && git config user.email b@b && git config user.name bench
mkdir -p migrations/app
cat > strata.toml <<'TOML'
[project]
name = "bench"
environments = ["dev"]
[services.app]
migrations = "migrations/app"
TOML
mig() {  # id name table
  printf -- '-- +strata up\nCREATE TABLE %s (id bigint PRIMARY KEY, v text);\nCREATE INDEX %s_v ON %s (v);\n-- +strata down\nDROP TABLE %s;\n' \
    "$3" "$3" "$3" "$3" > "migrations/app/$1_$2.sql"
}
for i in $(seq 1 "$N"); do mig "$(printf %06d "$i")" "t$i" "t$i"; done
"$S" hash -q && git add -A && git commit -qm base
git checkout -q -b feature
for i in $(seq 1 10); do mig "$(printf %06d $((N + i)))" "f$i" "f$i"; done
"$S" hash -q && git add -A && git commit -qm feature
git checkout -q main
for i in $(seq 1 10); do mig "$(printf %06d $((N + 10 + i)))" "m$i" "m$i"; done
"$S" hash -q && git add -A && git commit -qm main
git checkout -q feature
git gc -q  # packed objects, as in a clone

best() {  # best wall time in ms of RUNS runs of "$@"
  local b=999999 t0 t1 ms
  for _ in $(seq 1 "$RUNS"); do
    t0=$(date +%s%N); "$@" > /dev/null 2>&1 || true; t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 )); (( ms < b )) && b=$ms
  done
  echo "$b"
}
SCRATCH=/tmp; [ -w /dev/shm ] && SCRATCH=/dev/shm  # where strata unpacks (without TMPDIR)
floor() { local d; d=$(mktemp -d -p "$SCRATCH"); git archive --format=tar --output="$d/t.tar" main -- migrations/app && tar -xf "$d/t.tar" -C "$d"; rm -rf "$d"; }
archive_only() { git archive --format=tar --output="$W/.t.tar" main -- migrations/app; }
a=$(best archive_only)
f=$(best floor)
v=$(best "$S" validate --offline)
c=$(best "$S" check --base main)
git merge -q main -m m > /dev/null 2>&1 || true
r=$(best "$S" rebase --onto main --dry-run --offline)
echo "migrations=$N runs=$RUNS (best of)"
echo "git archive of the base's folder alone:         ${a} ms"
echo "git archive + tar into $SCRATCH (floor):       ${f} ms"
echo "strata validate --offline (work tree only):     ${v} ms"
echo "strata check --base main:                       ${c} ms  ($(awk "BEGIN{printf \"%.1f\", $c/$f}")x floor)"
echo "strata rebase --dry-run (plan + proof on copy): ${r} ms  ($(awk "BEGIN{printf \"%.1f\", $r/$f}")x floor)"
