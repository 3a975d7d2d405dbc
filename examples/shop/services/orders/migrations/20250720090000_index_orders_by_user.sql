-- strata:no-transaction
-- +strata up
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_id_created_at ON orders (user_id, created_at);

-- +strata down
DROP INDEX CONCURRENTLY IF EXISTS orders_user_id_created_at;
