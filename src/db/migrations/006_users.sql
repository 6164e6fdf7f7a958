-- People who sign in (DESIGN.md §4): users with a role, their browser sessions, their personal
-- API tokens, and the login attempts the rate limiter counts. No foreign keys: DuckDB refuses to
-- update or delete a row other tables point at, and users are updated (role, disabled_at); the
-- code joins on user_id and treats a missing or disabled user as signed out.

CREATE TABLE users (
  id            VARCHAR PRIMARY KEY,             -- 16 random hex digits
  email         VARCHAR NOT NULL UNIQUE,         -- trimmed and lowercase; the login name
  name          VARCHAR NOT NULL,
  role          VARCHAR NOT NULL CHECK (role IN ('analyst', 'lead', 'leadership', 'admin')),
  password_hash VARCHAR NOT NULL,                -- argon2id PHC string ($argon2id$v=19$m=…); never the password
  created_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  disabled_at   TIMESTAMPTZ,                     -- set: cannot sign in; sessions and tokens stop working
  CHECK (email = lower(trim(email)))
);

-- A browser session. The cookie carries 32 random bytes; the row keeps only their SHA-256, so a
-- copy of the database does not let anyone impersonate a signed-in user. csrf_token is the
-- synchronizer token every form post (and X-CSRF-Token header) of this session must repeat.
CREATE TABLE sessions (
  id           VARCHAR PRIMARY KEY,              -- hex SHA-256 of the cookie's secret
  user_id      VARCHAR NOT NULL,
  csrf_token   VARCHAR NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  expires_at   TIMESTAMPTZ NOT NULL,             -- absolute end, whatever the activity
  last_seen_at TIMESTAMPTZ NOT NULL              -- the idle limit counts from here (updated ≤ once a minute)
);

-- Personal API tokens: `prz_u_<id>_<secret>`, shown once, stored as the SHA-256 of the whole token
-- (256 random bits: nothing to brute-force, so a fast hash suffices). A token acts with exactly
-- its user's current role.
CREATE TABLE user_tokens (
  id           VARCHAR PRIMARY KEY,              -- the public part (16 hex digits)
  user_id      VARCHAR NOT NULL,
  token_hash   VARCHAR NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  last_used_at TIMESTAMPTZ,                      -- updated at most once a minute
  revoked_at   TIMESTAMPTZ
);

-- Every password login attempt, for the rate limiter (5 failures for an e-mail or an address
-- within 15 min lock it for 15 min). In the database so that a restart does not reset a lockout.
-- Rows older than 7 days are pruned on the next attempt.
CREATE TABLE login_attempts (
  attempted_at TIMESTAMPTZ NOT NULL,
  email        VARCHAR NOT NULL,                     -- as typed, trimmed and lowercased (may be unknown)
  ip           VARCHAR,                              -- client address when known
  ok           BOOLEAN NOT NULL
);
