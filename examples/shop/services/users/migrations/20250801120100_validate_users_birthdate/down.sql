-- A validation cannot be undone in place: drop the check and add it back NOT VALID (a catalog
-- change, no scan), so that the schema is exactly the one before the up (`strata test` checks).
ALTER TABLE users DROP CONSTRAINT users_birthdate_sane;
ALTER TABLE users ADD CONSTRAINT users_birthdate_sane CHECK (birthdate >= DATE '1900-01-01') NOT VALID;
