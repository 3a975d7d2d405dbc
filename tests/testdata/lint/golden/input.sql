-- strata:parents 0006
-- +strata up
SET lock_timeout = '2s';
CREATE TABLE order_notes (id serial PRIMARY KEY, body varchar(500), created_at timestamp);
CREATE INDEX order_notes_created ON order_notes (created_at);
ALTER TABLE orders
  ADD COLUMN token uuid DEFAULT gen_random_uuid(),
  ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
CREATE INDEX orders_token ON orders (token);
-- strata:ignore ban-drop-column replaced by orders.token in release 41
ALTER TABLE orders DROP COLUMN legacy_code;
-- strata:ignore rename-column
ALTER TABLE orders RENAME COLUMN total TO amount;
UPDATE orders SET amount = 0 WHERE amount IS NULL;
SELECT * FRM orders;
-- +strata down
DROP TABLE order_notes;
