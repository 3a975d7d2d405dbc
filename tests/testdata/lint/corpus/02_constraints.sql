-- strata lint corpus: constraints. Format: see src/lint/corpus_test.cc.

-- case: add-fk
-- expect: foreign-key-without-not-valid
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);

-- case: add-fk (schema-qualified)
-- expect: foreign-key-without-not-valid
ALTER TABLE app.accounts ADD CONSTRAINT accounts_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);

-- case: add-fk-unnamed
-- expect: foreign-key-without-not-valid
ALTER TABLE users ADD FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE CASCADE;

-- case: add-fk-unnamed (schema-qualified)
-- expect: foreign-key-without-not-valid
ALTER TABLE app.accounts ADD FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE CASCADE;

-- case: add-fk-not-valid
-- expect: none
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;

-- case: add-fk-not-valid (schema-qualified)
-- expect: none
ALTER TABLE app.accounts ADD CONSTRAINT accounts_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;

-- case: validate-fk-later
-- expect: none
ALTER TABLE users VALIDATE CONSTRAINT users_org_fk;

-- case: validate-fk-later (schema-qualified)
-- expect: none
ALTER TABLE app.accounts VALIDATE CONSTRAINT accounts_org_fk;

-- case: add-fk-then-validate-same-migration
-- expect: validate-in-same-transaction
-- options: in-transaction
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_org_fk;

-- case: add-fk-then-validate-same-migration (schema-qualified)
-- expect: validate-in-same-transaction
-- options: in-transaction
ALTER TABLE app.accounts ADD CONSTRAINT accounts_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;
ALTER TABLE app.accounts VALIDATE CONSTRAINT accounts_org_fk;

-- case: add-fk-then-validate-after-commit
-- expect: none
BEGIN;
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;
COMMIT;
ALTER TABLE users VALIDATE CONSTRAINT users_org_fk;

-- case: add-fk-then-validate-after-commit (schema-qualified)
-- expect: none
BEGIN;
ALTER TABLE app.accounts ADD CONSTRAINT accounts_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;
COMMIT;
ALTER TABLE app.accounts VALIDATE CONSTRAINT accounts_org_fk;

-- case: add-check
-- expect: check-without-not-valid
ALTER TABLE users ADD CONSTRAINT users_age CHECK (age >= 0);

-- case: add-check (schema-qualified)
-- expect: check-without-not-valid
ALTER TABLE app.accounts ADD CONSTRAINT accounts_age CHECK (age >= 0);

-- case: add-check-not-valid
-- expect: none
ALTER TABLE users ADD CONSTRAINT users_age CHECK (age >= 0) NOT VALID;

-- case: add-check-not-valid (schema-qualified)
-- expect: none
ALTER TABLE app.accounts ADD CONSTRAINT accounts_age CHECK (age >= 0) NOT VALID;

-- case: add-check-validate-same-begin
-- expect: validate-in-same-transaction, statement-after-access-exclusive
BEGIN;
ALTER TABLE users ADD CONSTRAINT users_age CHECK (age >= 0) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_age;
COMMIT;

-- case: add-check-validate-same-begin (schema-qualified)
-- expect: validate-in-same-transaction, statement-after-access-exclusive
BEGIN;
ALTER TABLE app.accounts ADD CONSTRAINT accounts_age CHECK (age >= 0) NOT VALID;
ALTER TABLE app.accounts VALIDATE CONSTRAINT accounts_age;
COMMIT;

-- case: add-unique
-- expect: require-unique-using-index
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);

-- case: add-unique (schema-qualified)
-- expect: require-unique-using-index
ALTER TABLE app.accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);

-- case: add-unique-using-index
-- expect: none
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;

-- case: add-unique-using-index (schema-qualified)
-- expect: none
ALTER TABLE app.accounts ADD CONSTRAINT accounts_email_key UNIQUE USING INDEX accounts_email_key;

-- case: add-primary-key
-- expect: require-primary-key-using-index
ALTER TABLE users ADD PRIMARY KEY (id);

-- case: add-primary-key (schema-qualified)
-- expect: require-primary-key-using-index
ALTER TABLE app.accounts ADD PRIMARY KEY (id);

-- case: add-primary-key-using-index
-- expect: none
ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;

-- case: add-primary-key-using-index (schema-qualified)
-- expect: none
ALTER TABLE app.accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_pkey;

-- case: add-exclude
-- expect: ban-add-exclusion-constraint
ALTER TABLE users ADD CONSTRAINT users_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);

-- case: add-exclude (schema-qualified)
-- expect: ban-add-exclusion-constraint
ALTER TABLE app.accounts ADD CONSTRAINT accounts_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);

-- case: drop-constraint
-- expect: none
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_age;

-- case: drop-constraint (schema-qualified)
-- expect: none
ALTER TABLE app.accounts DROP CONSTRAINT IF EXISTS accounts_age;

-- case: constraints-on-new-table
-- expect: none
CREATE TABLE users_items (id bigint, qty bigint);
ALTER TABLE users_items ADD CONSTRAINT users_items_qty CHECK (qty > 0);
ALTER TABLE users_items ADD PRIMARY KEY (id);

-- case: constraints-on-new-table (schema-qualified)
-- expect: none
CREATE TABLE accounts_items (id bigint, qty bigint);
ALTER TABLE accounts_items ADD CONSTRAINT accounts_items_qty CHECK (qty > 0);
ALTER TABLE accounts_items ADD PRIMARY KEY (id);

-- case: fk-and-check-in-one-alter
-- expect: check-without-not-valid, foreign-key-without-not-valid
ALTER TABLE users ADD CONSTRAINT a CHECK (x > 0), ADD CONSTRAINT b FOREIGN KEY (y) REFERENCES z (id);

-- case: fk-and-check-in-one-alter (schema-qualified)
-- expect: check-without-not-valid, foreign-key-without-not-valid
ALTER TABLE app.accounts ADD CONSTRAINT a CHECK (x > 0), ADD CONSTRAINT b FOREIGN KEY (y) REFERENCES z (id);

-- case: domain-check
-- expect: domain-check-without-not-valid
ALTER DOMAIN positive_int ADD CONSTRAINT positive CHECK (VALUE > 0);

-- case: domain-check-not-valid
-- expect: none
ALTER DOMAIN positive_int ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;
