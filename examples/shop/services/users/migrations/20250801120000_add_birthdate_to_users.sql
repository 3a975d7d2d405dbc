-- The classic change, done safely.
-- 1. A nullable column without a default is a catalog-only change: the ACCESS EXCLUSIVE lock
--    it needs is held for milliseconds, and strata takes it under lock_timeout with retries,
--    so it never queues behind a long transaction and blocks the table.
-- 2. The sanity check is added NOT VALID (no scan under the lock) and validated in the next
--    migration, which needs only SHARE UPDATE EXCLUSIVE: reads and writes go on.
-- 3. The index is built CONCURRENTLY in a no-transaction migration after that.
-- +strata up
ALTER TABLE users ADD COLUMN birthdate date;
ALTER TABLE users ADD CONSTRAINT users_birthdate_sane CHECK (birthdate >= DATE '1900-01-01') NOT VALID;

-- +strata down
ALTER TABLE users DROP COLUMN birthdate;
