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

  if command -v psql >/dev/null; then
    bold "== Zero downtime: orders.currency NOT NULL while the old checkout keeps writing"
    psql -X -q "$SHOP_ORDERS_URL" -c "INSERT INTO orders (user_id, total_cents)
      SELECT g % 100, g FROM generate_series(1, 20000) g"
    echo "20,000 orders exist. Expand: new column under a temporary name, NOT VALID check, a version"
    echo "schema of views in the new shape, a dual-write trigger, then a batched backfill:"
    run --service orders online start services/orders/online/01_add_order_currency.yaml --batch-size 5000
    run --service orders online status
    echo "The old version (search_path public) still inserts without a currency; the new version"
    echo "(search_path public_01_add_order_currency) sees it filled in by the trigger:"
    psql -X -q "$SHOP_ORDERS_URL" -c "INSERT INTO orders (user_id, total_cents) VALUES (7, 700)"
    psql -X "$SHOP_ORDERS_URL" -c "SET search_path = public_01_add_order_currency, public" \
      -c "SELECT id, user_id, total_cents, currency FROM orders ORDER BY id DESC LIMIT 2"
    bold "== Contract once the old version is gone: validate, swap the column in, drop the old shape"
    run --service orders online complete
    psql -X "$SHOP_ORDERS_URL" -c "\\d orders" | grep -E 'currency|Check|orders_currency' || true
  fi

  bold "== The audit trail is hash-chained: verify it"
  run --service orders audit verify
fi

bold "== Validate: graph, strata.sum and checksums of what is applied"
run "${SERVICES[@]}" validate

bold "== Done. The demo database is deleted on exit; try the same on your own:"
echo "  strata init && strata new create_users && strata apply"
