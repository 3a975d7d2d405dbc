-- strata lint corpus: enums. Format: see src/lint/corpus_test.cc.

-- case: enum-add-value
-- expect: none
ALTER TYPE users_status ADD VALUE 'archived';

-- case: enum-add-value (schema-qualified)
-- expect: none
ALTER TYPE accounts_status ADD VALUE 'archived';

-- case: enum-add-value-in-migration
-- expect: enum-add-value-in-transaction
-- options: in-transaction
ALTER TYPE users_status ADD VALUE 'archived';

-- case: enum-add-value-in-migration (schema-qualified)
-- expect: enum-add-value-in-transaction
-- options: in-transaction
ALTER TYPE accounts_status ADD VALUE 'archived';

-- case: enum-add-value-pg11-begin
-- expect: enum-add-value-in-transaction, concurrently-in-transaction
-- options: pg=11
BEGIN;
ALTER TYPE users_status ADD VALUE 'archived';
COMMIT;

-- case: enum-add-value-pg11-begin (schema-qualified)
-- expect: enum-add-value-in-transaction, concurrently-in-transaction
-- options: pg=11
BEGIN;
ALTER TYPE accounts_status ADD VALUE 'archived';
COMMIT;

-- case: enum-rename-value
-- expect: enum-rename-value
ALTER TYPE users_status RENAME VALUE 'old' TO 'legacy';

-- case: enum-rename-value (schema-qualified)
-- expect: enum-rename-value
ALTER TYPE accounts_status RENAME VALUE 'old' TO 'legacy';

-- case: create-enum
-- expect: none
CREATE TYPE users_status AS ENUM ('new', 'done');

-- case: create-enum (schema-qualified)
-- expect: none
CREATE TYPE accounts_status AS ENUM ('new', 'done');
