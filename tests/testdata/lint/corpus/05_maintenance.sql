-- strata lint corpus: maintenance. Format: see src/lint/corpus_test.cc.

-- case: vacuum-full
-- expect: ban-vacuum-full
VACUUM FULL users;

-- case: vacuum-full (schema-qualified)
-- expect: ban-vacuum-full
VACUUM FULL app.accounts;

-- case: vacuum-full-in-migration
-- expect: ban-vacuum-full, concurrently-in-transaction
-- options: in-transaction
VACUUM (FULL, ANALYZE) users;

-- case: vacuum-full-in-migration (schema-qualified)
-- expect: ban-vacuum-full, concurrently-in-transaction
-- options: in-transaction
VACUUM (FULL, ANALYZE) app.accounts;

-- case: vacuum-analyze
-- expect: none
VACUUM (ANALYZE) users;

-- case: vacuum-analyze (schema-qualified)
-- expect: none
VACUUM (ANALYZE) app.accounts;

-- case: vacuum-in-migration
-- expect: concurrently-in-transaction
-- options: in-transaction
VACUUM users;

-- case: vacuum-in-migration (schema-qualified)
-- expect: concurrently-in-transaction
-- options: in-transaction
VACUUM app.accounts;

-- case: analyze
-- expect: none
ANALYZE users;

-- case: analyze (schema-qualified)
-- expect: none
ANALYZE app.accounts;

-- case: cluster
-- expect: ban-cluster
CLUSTER users USING users_pkey;

-- case: cluster (schema-qualified)
-- expect: ban-cluster
CLUSTER app.accounts USING accounts_pkey;

-- case: cluster-on
-- expect: none
ALTER TABLE users CLUSTER ON users_pkey;

-- case: cluster-on (schema-qualified)
-- expect: none
ALTER TABLE app.accounts CLUSTER ON accounts_pkey;

-- case: lock-table
-- expect: ban-lock-table
BEGIN;
LOCK TABLE users;
COMMIT;

-- case: lock-table (schema-qualified)
-- expect: ban-lock-table
BEGIN;
LOCK TABLE app.accounts;
COMMIT;

-- case: lock-table-share
-- expect: ban-lock-table
BEGIN;
LOCK TABLE users IN SHARE MODE;
COMMIT;

-- case: lock-table-share (schema-qualified)
-- expect: ban-lock-table
BEGIN;
LOCK TABLE app.accounts IN SHARE MODE;
COMMIT;

-- case: lock-table-weak
-- expect: none
BEGIN;
LOCK TABLE users IN ROW EXCLUSIVE MODE;
COMMIT;

-- case: lock-table-weak (schema-qualified)
-- expect: none
BEGIN;
LOCK TABLE app.accounts IN ROW EXCLUSIVE MODE;
COMMIT;

-- case: refresh-matview
-- expect: require-concurrent-refresh
REFRESH MATERIALIZED VIEW users_totals;

-- case: refresh-matview (schema-qualified)
-- expect: require-concurrent-refresh
REFRESH MATERIALIZED VIEW accounts_totals;

-- case: refresh-matview-concurrently
-- expect: none
REFRESH MATERIALIZED VIEW CONCURRENTLY users_totals;

-- case: refresh-matview-concurrently (schema-qualified)
-- expect: none
REFRESH MATERIALIZED VIEW CONCURRENTLY accounts_totals;

-- case: refresh-matview-no-data
-- expect: none
REFRESH MATERIALIZED VIEW users_totals WITH NO DATA;

-- case: refresh-matview-no-data (schema-qualified)
-- expect: none
REFRESH MATERIALIZED VIEW accounts_totals WITH NO DATA;
