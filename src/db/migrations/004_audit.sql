-- The audit log: every read of the satisfaction zone's individual answers, every satisfaction
-- aggregate read, and every admin change (users, tokens, recipients, policy). Admins read it on
-- the Admin page. Append-only; the actor is the user's e-mail (or system:<job>).
CREATE SEQUENCE audit_log_id START 1;

CREATE TABLE audit_log (
  id      BIGINT PRIMARY KEY DEFAULT nextval('audit_log_id'),
  occurred_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,  -- AT is reserved in DuckDB
  actor   VARCHAR NOT NULL,
  role    VARCHAR NOT NULL,
  action  VARCHAR NOT NULL,          -- e.g. satisfaction.read_answers, user.add, token.revoke
  target  VARCHAR,                   -- what it acted on: a metric name, a user's e-mail, a token id
  detail  VARCHAR                    -- JSON with the parameters (never survey text or ratings)
);
