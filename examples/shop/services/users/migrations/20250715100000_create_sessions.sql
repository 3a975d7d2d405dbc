-- +strata up
CREATE TABLE sessions (
  token text PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- +strata down
DROP TABLE sessions;
