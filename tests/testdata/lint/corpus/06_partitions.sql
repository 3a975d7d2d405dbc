-- strata lint corpus: partitions. Format: see src/lint/corpus_test.cc.

-- case: attach-partition
-- expect: attach-partition-without-check
ALTER TABLE users ATTACH PARTITION users_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

-- case: attach-partition (schema-qualified)
-- expect: attach-partition-without-check
ALTER TABLE app.accounts ATTACH PARTITION accounts_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

-- case: attach-new-partition
-- expect: none
CREATE TABLE users_2027 (LIKE users INCLUDING DEFAULTS);
ALTER TABLE users ATTACH PARTITION users_2027 FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');

-- case: attach-new-partition (schema-qualified)
-- expect: none
CREATE TABLE accounts_2027 (LIKE app.accounts INCLUDING DEFAULTS);
ALTER TABLE app.accounts ATTACH PARTITION accounts_2027 FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');

-- case: detach-partition
-- expect: require-concurrent-detach
ALTER TABLE users DETACH PARTITION users_2020;

-- case: detach-partition (schema-qualified)
-- expect: require-concurrent-detach
ALTER TABLE app.accounts DETACH PARTITION accounts_2020;

-- case: detach-partition-concurrently
-- expect: none
ALTER TABLE users DETACH PARTITION users_2020 CONCURRENTLY;

-- case: detach-partition-concurrently (schema-qualified)
-- expect: none
ALTER TABLE app.accounts DETACH PARTITION accounts_2020 CONCURRENTLY;

-- case: detach-partition-concurrently-in-migration
-- expect: concurrently-in-transaction
-- options: in-transaction
ALTER TABLE users DETACH PARTITION users_2020 CONCURRENTLY;

-- case: detach-partition-concurrently-in-migration (schema-qualified)
-- expect: concurrently-in-transaction
-- options: in-transaction
ALTER TABLE app.accounts DETACH PARTITION accounts_2020 CONCURRENTLY;

-- case: create-partition-of
-- expect: none
CREATE TABLE users_2028 PARTITION OF users FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');

-- case: create-partition-of (schema-qualified)
-- expect: none
CREATE TABLE accounts_2028 PARTITION OF app.accounts FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');
