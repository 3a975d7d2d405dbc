CREATE INDEX CONCURRENTLY IF NOT EXISTS users_birthdate_idx ON users (birthdate);
