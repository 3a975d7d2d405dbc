#!/usr/bin/env bash
# `make demo`: strata's main job on the example shop (users, orders, billing). strata starts a
# throwaway PostgreSQL from the installed server binaries; without them it falls back to SQLite.
set -euo pipefail

STRATA=$(realpath "${1:-build/strata}")
SHOP=$(cd "$(dirname "$0")/shop" && pwd)
WORK=$(mktemp -d /tmp/strata-demo-XXXXXX)
chmod 755 "$WORK"
cd "$SHOP"

bold() { if [ -t 1 ]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }
run() {
  printf '$ strata %s\n' "$*"
  "$STRATA" "$@"
}
cleanup() {
  "$STRATA" sandbox down --purge --sandbox-dir "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

bold "== A throwaway database"
if "$STRATA" sandbox up --sandbox-dir "$WORK/pg" --db users --db orders --db billing; then
  echo "strata started its own PostgreSQL from the installed server binaries (initdb + pg_ctl on a free"
  echo "loopback port); it is stopped and deleted when the demo ends."
  export SHOP_USERS_URL=$("$STRATA" sandbox url --sandbox-dir "$WORK/pg" --db users)
  export SHOP_ORDERS_URL=$("$STRATA" sandbox url --sandbox-dir "$WORK/pg" --db orders)
  export SHOP_BILLING_URL=$("$STRATA" sandbox url --sandbox-dir "$WORK/pg" --db billing)
  SERVICES=()
else
  echo "No PostgreSQL server binaries here: falling back to SQLite for the billing service, whose"
  echo "migrations are portable (users and orders use PostgreSQL-only features and are skipped)."
  export SHOP_BILLING_URL="sqlite:$WORK/billing.db"
  SERVICES=(--service billing)
fi

bold "== Where every service stands (nothing applied yet)"
run "${SERVICES[@]}" status

bold "== Lint: which lock each statement takes (the shop's migrations are written safely)"
run "${SERVICES[@]}" lint

if [ ${#SERVICES[@]} -eq 0 ]; then
  bold "== Plan for users: each statement's lock, the live table sizes, risk and lock time"
  run --service users plan
  bold "== The exact SQL apply would run for users (nothing runs)"
  run --service users apply --dry-run
fi

bold "== Apply every service: one transaction per migration, lock_timeout with retries"
run "${SERVICES[@]}" apply

bold "== Status after apply"
run "${SERVICES[@]}" status

if [ ${#SERVICES[@]} -eq 0 ]; then
  bold "== The classic change: users.birthdate (column + NOT VALID check, validate, index CONCURRENTLY)"
  run --service users status -v
  bold "== Roll it back (downs newest first), then apply it again"
  run --service users rollback --to 20250715100000
  run --service users apply
  bold "== The audit trail of the users database"
  run --service users audit --limit 8
fi

bold "== Validate: graph, strata.sum and checksums of what is applied"
run "${SERVICES[@]}" validate

bold "== Done. The demo database is deleted on exit; try the same on your own:"
echo "  strata init && strata new create_users && strata apply"
