#!/usr/bin/env bash
# Runs every benchmark in bench/ (`make bench` calls this). Each benchmark writes its own
# section of bench/RESULTS.md. Environment is passed through (see bench/README.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
status=0

echo "== core: apply 1000 migrations vs psql -1 -f; status with 1000 applied"
"$ROOT/bench/core_bench.sh" || status=$?

echo "== branch: strata check --base / rebase on 1000 migrations vs git archive + tar (prints; see RESULTS.md)"
"$ROOT/bench/branch_bench.sh" "${BUILD_DIR:-$ROOT/build}" || status=$?
echo "== audit chain: apply with the hash-chained audit; audit verify"
"$ROOT/bench/audit_bench.sh" || status=$?

echo "== rollout: one migration to 1,000 databases at parallelism 1, 4, 16, 32"
"$ROOT/bench/rollout_bench.sh" || status=$?
echo "== zero downtime: strata online under pgbench load vs plain ALTER TABLE and a bulk UPDATE"
"$ROOT/bench/zero_downtime/run.sh" || status=$?
echo "== test: sandbox start; strata test on 200 migrations"
"$ROOT/bench/test_bench.sh" || status=$?

# Other benchmarks run if they are built (they are CMake targets in bench/CMakeLists.txt).
for name in lint_bench; do
  bin=""
  for dir in "${BUILD_DIR:-}" "$ROOT/build-release" "$ROOT/build"; do
    [[ -n "$dir" && -x "$dir/bench/$name" ]] && { bin="$dir/bench/$name"; break; }
  done
  if [[ -n "$bin" ]]; then
    echo "== ${name%_bench}: $bin"
    "$bin" || status=$?
  else
    echo "== ${name%_bench}: skipped (not built; run: ninja -C build $name)"
  fi
done
exit "$status"
