-- Ingest: canonical events, the satisfaction zone's answers, rejects, sources and runs.

CREATE TABLE sources (
  name       VARCHAR PRIMARY KEY,
  kind       VARCHAR NOT NULL,                -- file, http, servicenow, mapped
  created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE ingest_run_id START 1;

CREATE TABLE ingest_runs (
  id          BIGINT PRIMARY KEY DEFAULT nextval('ingest_run_id'),
  source      VARCHAR NOT NULL,
  origin      VARCHAR NOT NULL,                -- file path, or "http"
  format      VARCHAR NOT NULL,
  started_at  TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  status      VARCHAR NOT NULL,                -- running, done, failed
  read        BIGINT NOT NULL DEFAULT 0,
  accepted    BIGINT NOT NULL DEFAULT 0,
  duplicates  BIGINT NOT NULL DEFAULT 0,
  rejected    BIGINT NOT NULL DEFAULT 0,
  error       VARCHAR
);

-- One row per canonical event (DESIGN.md §2). Identity is (source, id): ingest is idempotent.
-- The event's `at` is stored as occurred_at: AT is a reserved word in DuckDB's SQL.
CREATE TABLE events (
  source      VARCHAR NOT NULL,
  id          VARCHAR NOT NULL,
  ticket      VARCHAR NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  type        VARCHAR NOT NULL,
  severity    VARCHAR,
  status      VARCHAR,
  reason      VARCHAR,
  by_role     VARCHAR,
  actor       VARCHAR,
  analyst     VARCHAR,
  category    VARCHAR,
  answer      VARCHAR,
  client      VARCHAR,
  requester   VARCHAR,
  channel     VARCHAR,
  gut_g       TINYINT,
  gut_u       TINYINT,
  gut_t       TINYINT,
  hours       DOUBLE,
  hourly_rate DOUBLE,
  extra       VARCHAR,                         -- JSON of the fields Prazo does not know, kept as sent
  raw         VARCHAR NOT NULL,                -- JSON of the event as sent (survey answers removed)
  run_id      BIGINT NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  PRIMARY KEY (source, id)
);

-- The satisfaction zone: survey answers live only here, never in events.raw.
CREATE TABLE survey_answers (
  source      VARCHAR NOT NULL,
  id          VARCHAR NOT NULL,
  ticket      VARCHAR NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  rating      VARCHAR,                         -- satisfeito, neutro, insatisfeito
  score       TINYINT,                         -- 1–5 when the survey scores
  comment     VARCHAR,
  run_id      BIGINT NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  PRIMARY KEY (source, id)
);

-- Every line or row that could not become an event, with why. The same line at the same
-- position sent again is the same reject.
CREATE TABLE rejects (
  source      VARCHAR NOT NULL,
  origin      VARCHAR NOT NULL,
  position    BIGINT NOT NULL,                 -- line or row number, from 1
  raw         VARCHAR NOT NULL,
  raw_hash    VARCHAR NOT NULL,
  reason      VARCHAR NOT NULL,                -- a code, e.g. unknown_severity
  message     VARCHAR NOT NULL,
  run_id      BIGINT NOT NULL,
  rejected_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  PRIMARY KEY (source, position, raw_hash)
);

-- Tickets whose events changed since the metrics last recomputed them.
CREATE TABLE changed_tickets (
  ticket     VARCHAR PRIMARY KEY,
  changed_at TIMESTAMPTZ NOT NULL
);
