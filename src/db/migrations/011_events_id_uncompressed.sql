-- events.id stored without compression.
--
-- An event's id is unique within its source, so the dictionary half of DuckDB's string compression
-- (DICT_FSST) never finds a repeat: it hashes every id of every row group only to give up, then
-- FSST-codes the ids about twice smaller. That was an eighth of the cost of storing a batch of events
-- (6M events: ~0.3 s of the insert's 2.5 s), the Parquet import's largest single cost left. Stored as
-- they are, the ids take ~8 more bytes per event for short ids like the benchmark's (a 6M-event file:
-- 96 -> 147 MB), up to twice their compressed size for long ones (UUIDs); reading them needs no
-- decoding. The other string columns (tickets, clients, statuses…) repeat, and stay compressed.
--
-- DuckDB cannot change a column's compression in place: the table is rebuilt, as 009 did, in rowid
-- order.
CREATE TABLE events_011 (
  source      VARCHAR NOT NULL,
  id          VARCHAR USING COMPRESSION uncompressed NOT NULL,
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
  raw         VARCHAR,                         -- JSON of the event as sent (survey answers removed); NULL: rebuilt from raw_keys
  run_id      BIGINT NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  raw_keys    VARCHAR,                         -- when raw is NULL: the event's keys in order, joined by '"'
  CHECK (raw IS NOT NULL OR raw_keys IS NOT NULL)
);

INSERT INTO events_011 SELECT * FROM events ORDER BY rowid;

DROP TABLE events;

ALTER TABLE events_011 RENAME TO events;

-- Rows a rolled-back batch left deleted are not copied: the metrics' next recompute must not trust
-- its rowid watermark.
DELETE FROM ticket_sla_state;
