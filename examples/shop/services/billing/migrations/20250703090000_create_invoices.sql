-- Portable SQL: this service also runs on SQLite (`make demo` falls back to it when no
-- PostgreSQL server binaries are installed).
-- +strata up
CREATE TABLE invoices (
  id bigint PRIMARY KEY,
  order_id bigint NOT NULL,
  amount_cents bigint NOT NULL,
  issued_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP  -- strata:ignore prefer-timestamptz SQLite has no time zones; stored as UTC
);

-- +strata down
DROP TABLE invoices;
