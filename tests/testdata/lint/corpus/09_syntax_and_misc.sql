-- strata lint corpus: syntax and misc. Format: see src/lint/corpus_test.cc.

-- case: syntax-error
-- expect: syntax-error
ALTER TABLE users ADD COLUM email text;

-- case: syntax-error (schema-qualified)
-- expect: syntax-error
ALTER TABLE app.accounts ADD COLUM email text;

-- case: syntax-error-then-valid
-- expect: syntax-error, require-concurrent-index-drop
SELEC 1;
DROP INDEX users_email;

-- case: syntax-error-then-valid (schema-qualified)
-- expect: syntax-error, require-concurrent-index-drop
SELEC 1;
DROP INDEX accounts_email;

-- case: unterminated-string
-- expect: syntax-error
UPDATE users SET name = 'oops WHERE id = 1;

-- case: unterminated-string (schema-qualified)
-- expect: syntax-error
UPDATE app.accounts SET name = 'oops WHERE id = 1;

-- case: ignore-unknown-rule
-- expect: invalid-ignore
-- strata:ignore no-such-rule because reasons
SELECT 1 FROM users;

-- case: ignore-unknown-rule (schema-qualified)
-- expect: invalid-ignore
-- strata:ignore no-such-rule because reasons
SELECT 1 FROM app.accounts;

-- case: ignore-file-wide
-- expect: none
-- strata:ignore-file ban-drop-column cleanup of dead columns
ALTER TABLE users DROP COLUMN a;
ALTER TABLE users DROP COLUMN b;

-- case: ignore-file-wide (schema-qualified)
-- expect: none
-- strata:ignore-file ban-drop-column cleanup of dead columns
ALTER TABLE app.accounts DROP COLUMN a;
ALTER TABLE app.accounts DROP COLUMN b;

-- case: ignore-several-rules
-- expect: require-statement-timeout
-- options: timeouts-unset
-- strata:ignore require-concurrent-index,require-lock-timeout tiny lookup table
CREATE INDEX users_k ON users (k);

-- case: ignore-several-rules (schema-qualified)
-- expect: require-statement-timeout
-- options: timeouts-unset
-- strata:ignore require-concurrent-index,require-lock-timeout tiny lookup table
CREATE INDEX accounts_k ON app.accounts (k);

-- case: function-body-not-linted
-- expect: none
CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

-- case: create-extension
-- expect: none
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- case: create-schema
-- expect: none
CREATE SCHEMA IF NOT EXISTS users_archive;

-- case: create-schema (schema-qualified)
-- expect: none
CREATE SCHEMA IF NOT EXISTS accounts_archive;

-- case: create-sequence
-- expect: none
CREATE SEQUENCE users_seq;

-- case: create-sequence (schema-qualified)
-- expect: none
CREATE SEQUENCE accounts_seq;

-- case: do-block
-- expect: none
DO $$ BEGIN RAISE NOTICE 'hello'; END $$;

-- case: empty
-- expect: none
-- nothing here

