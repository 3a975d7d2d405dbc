-- A constant default is stored in the catalog (PostgreSQL 11+): no table rewrite.
-- +strata up
ALTER TABLE invoices ADD COLUMN currency text NOT NULL DEFAULT 'EUR';

-- +strata down
ALTER TABLE invoices DROP COLUMN currency;
