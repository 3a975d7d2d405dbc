-- Scans the table under SHARE UPDATE EXCLUSIVE: reads and writes continue.
ALTER TABLE users VALIDATE CONSTRAINT users_birthdate_sane;
