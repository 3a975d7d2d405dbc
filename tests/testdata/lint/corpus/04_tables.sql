-- strata lint corpus: tables. Format: see src/lint/corpus_test.cc.

-- case: create-table-good
-- expect: none
CREATE TABLE users_events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now());

-- case: create-table-good (schema-qualified)
-- expect: none
CREATE TABLE accounts_events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now());

-- case: create-table-int-varchar-timestamp
-- expect: prefer-bigint, prefer-text, prefer-timestamptz
CREATE TABLE users_events (id int PRIMARY KEY, body varchar(100), at timestamp);

-- case: create-table-int-varchar-timestamp (schema-qualified)
-- expect: prefer-bigint, prefer-text, prefer-timestamptz
CREATE TABLE accounts_events (id int PRIMARY KEY, body varchar(100), at timestamp);

-- case: create-table-serial
-- expect: prefer-bigint
CREATE TABLE users_events (id serial PRIMARY KEY);

-- case: create-table-serial (schema-qualified)
-- expect: prefer-bigint
CREATE TABLE accounts_events (id serial PRIMARY KEY);

-- case: create-table-with-fk
-- expect: none
CREATE TABLE users_events (id bigint PRIMARY KEY, org_id bigint REFERENCES orgs (id));

-- case: create-table-with-fk (schema-qualified)
-- expect: none
CREATE TABLE accounts_events (id bigint PRIMARY KEY, org_id bigint REFERENCES orgs (id));

-- case: create-table-if-not-exists
-- expect: none
CREATE TABLE IF NOT EXISTS users_events (id bigint, payload jsonb);

-- case: create-table-if-not-exists (schema-qualified)
-- expect: none
CREATE TABLE IF NOT EXISTS accounts_events (id bigint, payload jsonb);

-- case: create-table-as
-- expect: none
CREATE TABLE users_copy AS SELECT * FROM users WHERE false;

-- case: create-table-as (schema-qualified)
-- expect: none
CREATE TABLE accounts_copy AS SELECT * FROM app.accounts WHERE false;

-- case: drop-table
-- expect: ban-drop-table
DROP TABLE users;

-- case: drop-table (schema-qualified)
-- expect: ban-drop-table
DROP TABLE app.accounts;

-- case: drop-table-if-exists-cascade
-- expect: ban-drop-table
DROP TABLE IF EXISTS users CASCADE;

-- case: drop-table-if-exists-cascade (schema-qualified)
-- expect: ban-drop-table
DROP TABLE IF EXISTS app.accounts CASCADE;

-- case: drop-new-table
-- expect: none
CREATE TABLE users_tmp (id bigint);
DROP TABLE users_tmp;

-- case: drop-new-table (schema-qualified)
-- expect: none
CREATE TABLE accounts_tmp (id bigint);
DROP TABLE accounts_tmp;

-- case: rename-table
-- expect: rename-table
ALTER TABLE users RENAME TO users_v2;

-- case: rename-table (schema-qualified)
-- expect: rename-table
ALTER TABLE app.accounts RENAME TO accounts_v2;

-- case: rename-new-table
-- expect: none
CREATE TABLE users_tmp (id bigint);
ALTER TABLE users_tmp RENAME TO users_final;
CREATE INDEX users_final_id ON users_final (id);

-- case: rename-new-table (schema-qualified)
-- expect: none
CREATE TABLE accounts_tmp (id bigint);
ALTER TABLE accounts_tmp RENAME TO accounts_final;
CREATE INDEX accounts_final_id ON accounts_final (id);

-- case: truncate
-- expect: ban-truncate
TRUNCATE users;

-- case: truncate (schema-qualified)
-- expect: ban-truncate
TRUNCATE app.accounts;

-- case: truncate-cascade
-- expect: ban-truncate
TRUNCATE TABLE users CASCADE;

-- case: truncate-cascade (schema-qualified)
-- expect: ban-truncate
TRUNCATE TABLE app.accounts CASCADE;

-- case: truncate-new-table
-- expect: none
CREATE TABLE users_stage (id bigint);
TRUNCATE users_stage;

-- case: truncate-new-table (schema-qualified)
-- expect: none
CREATE TABLE accounts_stage (id bigint);
TRUNCATE accounts_stage;

-- case: set-logged
-- expect: alter-table-rewrite
ALTER TABLE users SET LOGGED;

-- case: set-logged (schema-qualified)
-- expect: alter-table-rewrite
ALTER TABLE app.accounts SET LOGGED;

-- case: set-unlogged
-- expect: alter-table-rewrite
ALTER TABLE users SET UNLOGGED;

-- case: set-unlogged (schema-qualified)
-- expect: alter-table-rewrite
ALTER TABLE app.accounts SET UNLOGGED;

-- case: set-tablespace
-- expect: alter-table-rewrite
ALTER TABLE users SET TABLESPACE archive;

-- case: set-tablespace (schema-qualified)
-- expect: alter-table-rewrite
ALTER TABLE app.accounts SET TABLESPACE archive;

-- case: set-fillfactor
-- expect: none
ALTER TABLE users SET (fillfactor = 80);

-- case: set-fillfactor (schema-qualified)
-- expect: none
ALTER TABLE app.accounts SET (fillfactor = 80);

-- case: create-view
-- expect: none
CREATE VIEW users_active AS SELECT id, email FROM users WHERE active;

-- case: create-view (schema-qualified)
-- expect: none
CREATE VIEW accounts_active AS SELECT id, email FROM app.accounts WHERE active;

-- case: comment-on-table
-- expect: none
COMMENT ON TABLE users IS 'accounts of the shop';

-- case: comment-on-table (schema-qualified)
-- expect: none
COMMENT ON TABLE app.accounts IS 'accounts of the shop';

-- case: create-trigger
-- expect: none
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();

-- case: create-trigger (schema-qualified)
-- expect: none
CREATE TRIGGER accounts_touch BEFORE UPDATE ON app.accounts FOR EACH ROW EXECUTE FUNCTION touch();

-- case: grant
-- expect: none
GRANT SELECT ON users TO reporting;

-- case: grant (schema-qualified)
-- expect: none
GRANT SELECT ON app.accounts TO reporting;
