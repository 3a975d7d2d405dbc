-- strata lint corpus: transactions and data. Format: see src/lint/corpus_test.cc.

-- case: update-whole-table
-- expect: whole-table-update
UPDATE users SET flag = false;

-- case: update-whole-table (schema-qualified)
-- expect: whole-table-update
UPDATE app.accounts SET flag = false;

-- case: delete-whole-table
-- expect: whole-table-update
DELETE FROM users;

-- case: delete-whole-table (schema-qualified)
-- expect: whole-table-update
DELETE FROM app.accounts;

-- case: update-where-true
-- expect: whole-table-update
UPDATE users SET flag = false WHERE true;

-- case: update-where-true (schema-qualified)
-- expect: whole-table-update
UPDATE app.accounts SET flag = false WHERE true;

-- case: update-batch
-- expect: none
UPDATE users SET flag = false WHERE id IN (SELECT id FROM users WHERE flag IS NULL LIMIT 1000);

-- case: update-batch (schema-qualified)
-- expect: none
UPDATE app.accounts SET flag = false WHERE id IN (SELECT id FROM app.accounts WHERE flag IS NULL LIMIT 1000);

-- case: update-where
-- expect: none
UPDATE users SET flag = false WHERE id = 42;

-- case: update-where (schema-qualified)
-- expect: none
UPDATE app.accounts SET flag = false WHERE id = 42;

-- case: insert
-- expect: none
INSERT INTO users (id, email) VALUES (1, 'a@b.c');

-- case: insert (schema-qualified)
-- expect: none
INSERT INTO app.accounts (id, email) VALUES (1, 'a@b.c');

-- case: update-new-table
-- expect: none
CREATE TABLE users_seed (id bigint, v text);
UPDATE users_seed SET v = 'x';

-- case: update-new-table (schema-qualified)
-- expect: none
CREATE TABLE accounts_seed (id bigint, v text);
UPDATE accounts_seed SET v = 'x';

-- case: ael-then-update
-- expect: statement-after-access-exclusive
-- options: in-transaction
ALTER TABLE users ADD COLUMN flag boolean;
UPDATE users SET flag = false WHERE id < 1000;

-- case: ael-then-update (schema-qualified)
-- expect: statement-after-access-exclusive
-- options: in-transaction
ALTER TABLE app.accounts ADD COLUMN flag boolean;
UPDATE app.accounts SET flag = false WHERE id < 1000;

-- case: ael-then-index
-- expect: ban-drop-column, concurrently-in-transaction, statement-after-access-exclusive
BEGIN;
ALTER TABLE users DROP COLUMN legacy;
CREATE INDEX CONCURRENTLY users_x ON other (x);
COMMIT;

-- case: ael-then-index (schema-qualified)
-- expect: ban-drop-column, concurrently-in-transaction, statement-after-access-exclusive
BEGIN;
ALTER TABLE app.accounts DROP COLUMN legacy;
CREATE INDEX CONCURRENTLY accounts_x ON other (x);
COMMIT;

-- case: ael-last-in-transaction
-- expect: none
BEGIN;
UPDATE users SET flag = true WHERE id = 1;
ALTER TABLE users ADD COLUMN note text;
COMMIT;

-- case: ael-last-in-transaction (schema-qualified)
-- expect: none
BEGIN;
UPDATE app.accounts SET flag = true WHERE id = 1;
ALTER TABLE app.accounts ADD COLUMN note text;
COMMIT;

-- case: ael-then-commit-then-work
-- expect: none
BEGIN;
ALTER TABLE users ADD COLUMN note text;
COMMIT;
UPDATE users SET note = '' WHERE id < 100;

-- case: ael-then-commit-then-work (schema-qualified)
-- expect: none
BEGIN;
ALTER TABLE app.accounts ADD COLUMN note text;
COMMIT;
UPDATE app.accounts SET note = '' WHERE id < 100;

-- case: ael-then-cheap-alter
-- expect: none
-- options: in-transaction
ALTER TABLE users ADD COLUMN note text;
ALTER TABLE users ALTER COLUMN note SET DEFAULT '';

-- case: ael-then-cheap-alter (schema-qualified)
-- expect: none
-- options: in-transaction
ALTER TABLE app.accounts ADD COLUMN note text;
ALTER TABLE app.accounts ALTER COLUMN note SET DEFAULT '';

-- case: missing-lock-timeout
-- expect: require-lock-timeout
-- options: timeouts-unset
ALTER TABLE users ADD COLUMN note text;

-- case: missing-lock-timeout (schema-qualified)
-- expect: require-lock-timeout
-- options: timeouts-unset
ALTER TABLE app.accounts ADD COLUMN note text;

-- case: lock-timeout-set
-- expect: none
-- options: timeouts-unset
SET lock_timeout = '1s';
ALTER TABLE users ADD COLUMN note text;

-- case: lock-timeout-set (schema-qualified)
-- expect: none
-- options: timeouts-unset
SET lock_timeout = '1s';
ALTER TABLE app.accounts ADD COLUMN note text;

-- case: set-local-lock-timeout
-- expect: none
-- options: timeouts-unset
BEGIN;
SET LOCAL lock_timeout = '500ms';
ALTER TABLE users ADD COLUMN note text;
COMMIT;

-- case: set-local-lock-timeout (schema-qualified)
-- expect: none
-- options: timeouts-unset
BEGIN;
SET LOCAL lock_timeout = '500ms';
ALTER TABLE app.accounts ADD COLUMN note text;
COMMIT;

-- case: lock-timeout-reset
-- expect: require-lock-timeout
-- options: timeouts-unset
SET lock_timeout = '1s';
RESET lock_timeout;
ALTER TABLE users ADD COLUMN note text;

-- case: lock-timeout-reset (schema-qualified)
-- expect: require-lock-timeout
-- options: timeouts-unset
SET lock_timeout = '1s';
RESET lock_timeout;
ALTER TABLE app.accounts ADD COLUMN note text;

-- case: missing-statement-timeout
-- expect: check-without-not-valid, require-statement-timeout
-- options: timeouts-unset
SET lock_timeout = '1s';
ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0);

-- case: missing-statement-timeout (schema-qualified)
-- expect: check-without-not-valid, require-statement-timeout
-- options: timeouts-unset
SET lock_timeout = '1s';
ALTER TABLE app.accounts ADD CONSTRAINT c CHECK (a > 0);

-- case: both-timeouts-set
-- expect: check-without-not-valid
-- options: timeouts-unset
SET lock_timeout = '1s';
SET statement_timeout = '10min';
ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0);

-- case: both-timeouts-set (schema-qualified)
-- expect: check-without-not-valid
-- options: timeouts-unset
SET lock_timeout = '1s';
SET statement_timeout = '10min';
ALTER TABLE app.accounts ADD CONSTRAINT c CHECK (a > 0);

-- case: weak-lock-needs-no-timeout
-- expect: none
-- options: timeouts-unset
CREATE INDEX CONCURRENTLY users_y ON users (y);

-- case: weak-lock-needs-no-timeout (schema-qualified)
-- expect: none
-- options: timeouts-unset
CREATE INDEX CONCURRENTLY accounts_y ON app.accounts (y);

-- case: select-only
-- expect: none
-- options: timeouts-unset
SELECT count(*) FROM users;

-- case: select-only (schema-qualified)
-- expect: none
-- options: timeouts-unset
SELECT count(*) FROM app.accounts;
