-- 1. A reject's identity includes its origin (the file it came from, or "http"): the same bad line at
-- the same position of two different files of one source is two rejects, not one. DuckDB cannot
-- change a primary key in place: build the table anew with the same columns, copy, swap.
CREATE TABLE rejects_008 (
  source      VARCHAR NOT NULL,
  origin      VARCHAR NOT NULL,
  position    BIGINT NOT NULL,                 -- line or row number, from 1
  raw         VARCHAR NOT NULL,
  raw_hash    VARCHAR NOT NULL,
  reason      VARCHAR NOT NULL,                -- a code, e.g. unknown_severity
  message     VARCHAR NOT NULL,
  run_id      BIGINT NOT NULL,
  rejected_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  PRIMARY KEY (source, origin, position, raw_hash)
);

INSERT INTO rejects_008
SELECT source, origin, position, raw, raw_hash, reason, message, run_id, rejected_at FROM rejects;

DROP TABLE rejects;

ALTER TABLE rejects_008 RENAME TO rejects;

-- 2. changed_tickets becomes append-only, without a key: ingest appends a row per ticket and batch,
-- and the metrics' recompute deletes the rows its snapshot saw. With a key, ingest had to upsert a
-- listed ticket, and DuckDB let that upsert and a concurrent recompute's DELETE both commit: the
-- ticket was dropped from the list though its new events were never recomputed.
CREATE TABLE changed_tickets_008 (
  ticket     VARCHAR NOT NULL,
  changed_at TIMESTAMPTZ NOT NULL
);

INSERT INTO changed_tickets_008 SELECT ticket, changed_at FROM changed_tickets;

DROP TABLE changed_tickets;

ALTER TABLE changed_tickets_008 RENAME TO changed_tickets;
