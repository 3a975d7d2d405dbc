-- strata lint corpus: indexes. Format: see src/lint/corpus_test.cc.

-- case: create-index
-- expect: require-concurrent-index
CREATE INDEX users_email ON users (email);

-- case: create-index (schema-qualified)
-- expect: require-concurrent-index
CREATE INDEX accounts_email ON app.accounts (email);

-- case: create-unique-index
-- expect: require-concurrent-index
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- case: create-unique-index (schema-qualified)
-- expect: require-concurrent-index
CREATE UNIQUE INDEX accounts_email ON app.accounts (lower(email));

-- case: create-index-partial
-- expect: require-concurrent-index
CREATE INDEX users_active ON users (id) WHERE active;

-- case: create-index-partial (schema-qualified)
-- expect: require-concurrent-index
CREATE INDEX accounts_active ON app.accounts (id) WHERE active;

-- case: create-index-concurrently
-- expect: none
CREATE INDEX CONCURRENTLY users_email ON users (email);

-- case: create-index-concurrently (schema-qualified)
-- expect: none
CREATE INDEX CONCURRENTLY accounts_email ON app.accounts (email);

-- case: create-index-concurrently-if-not-exists
-- expect: none
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users USING btree (email);

-- case: create-index-concurrently-if-not-exists (schema-qualified)
-- expect: none
CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_email ON app.accounts USING btree (email);

-- case: create-index-concurrently-in-migration
-- expect: concurrently-in-transaction
-- options: in-transaction
CREATE INDEX CONCURRENTLY users_email ON users (email);

-- case: create-index-concurrently-in-migration (schema-qualified)
-- expect: concurrently-in-transaction
-- options: in-transaction
CREATE INDEX CONCURRENTLY accounts_email ON app.accounts (email);

-- case: create-index-concurrently-after-begin
-- expect: concurrently-in-transaction
BEGIN;
CREATE INDEX CONCURRENTLY users_email ON users (email);
COMMIT;

-- case: create-index-concurrently-after-begin (schema-qualified)
-- expect: concurrently-in-transaction
BEGIN;
CREATE INDEX CONCURRENTLY accounts_email ON app.accounts (email);
COMMIT;

-- case: create-index-on-new-table
-- expect: none
CREATE TABLE users_tags (id bigint, tag text);
CREATE INDEX users_tags_tag ON users_tags (tag);

-- case: create-index-on-new-table (schema-qualified)
-- expect: none
CREATE TABLE accounts_tags (id bigint, tag text);
CREATE INDEX accounts_tags_tag ON accounts_tags (tag);

-- case: drop-index
-- expect: require-concurrent-index-drop
DROP INDEX users_email;

-- case: drop-index (schema-qualified)
-- expect: require-concurrent-index-drop
DROP INDEX accounts_email;

-- case: drop-index-if-exists
-- expect: require-concurrent-index-drop
DROP INDEX IF EXISTS users_email;

-- case: drop-index-if-exists (schema-qualified)
-- expect: require-concurrent-index-drop
DROP INDEX IF EXISTS accounts_email;

-- case: drop-index-concurrently
-- expect: none
DROP INDEX CONCURRENTLY IF EXISTS users_email;

-- case: drop-index-concurrently (schema-qualified)
-- expect: none
DROP INDEX CONCURRENTLY IF EXISTS accounts_email;

-- case: drop-index-concurrently-in-migration
-- expect: concurrently-in-transaction
-- options: in-transaction
DROP INDEX CONCURRENTLY users_email;

-- case: drop-index-concurrently-in-migration (schema-qualified)
-- expect: concurrently-in-transaction
-- options: in-transaction
DROP INDEX CONCURRENTLY accounts_email;

-- case: reindex-index
-- expect: require-concurrent-reindex
REINDEX INDEX users_email;

-- case: reindex-index (schema-qualified)
-- expect: require-concurrent-reindex
REINDEX INDEX accounts_email;

-- case: reindex-table
-- expect: require-concurrent-reindex
REINDEX TABLE users;

-- case: reindex-table (schema-qualified)
-- expect: require-concurrent-reindex
REINDEX TABLE app.accounts;

-- case: reindex-concurrently
-- expect: none
REINDEX INDEX CONCURRENTLY users_email;

-- case: reindex-concurrently (schema-qualified)
-- expect: none
REINDEX INDEX CONCURRENTLY accounts_email;

-- case: reindex-concurrently-in-transaction
-- expect: concurrently-in-transaction
BEGIN;
REINDEX TABLE CONCURRENTLY users;
COMMIT;

-- case: reindex-concurrently-in-transaction (schema-qualified)
-- expect: concurrently-in-transaction
BEGIN;
REINDEX TABLE CONCURRENTLY app.accounts;
COMMIT;

-- case: create-index-no-timeouts
-- expect: require-concurrent-index, require-lock-timeout, require-statement-timeout
-- options: timeouts-unset
CREATE INDEX users_email ON users (email);

-- case: create-index-no-timeouts (schema-qualified)
-- expect: require-concurrent-index, require-lock-timeout, require-statement-timeout
-- options: timeouts-unset
CREATE INDEX accounts_email ON app.accounts (email);

-- case: alter-index-rename
-- expect: none
ALTER INDEX users_email RENAME TO users_email_idx;

-- case: alter-index-rename (schema-qualified)
-- expect: none
ALTER INDEX accounts_email RENAME TO accounts_email_idx;
