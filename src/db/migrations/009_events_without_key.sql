-- events: no primary key, and `raw` left out when it can be rebuilt from the typed columns.
--
-- 1. The primary key on (source, id) kept an index of every event in memory (DuckDB loads an
--    ART index whole), so the server's and an import's memory grew with the database, and building
--    it was half the cost of storing a batch. An event's identity is still (source, id): the one
--    writer of events (src/ingest/eventWriteLock.ts serialises every transaction that inserts into
--    events within the process, and DuckDB lets one process hold the file) looks up the batch's ids
--    among the stored events of the source before inserting, and inserts only new ones.
--
-- 2. raw is the event as sent. For most events it is exactly what the typed columns give written
--    back in the order of its keys: such an event stores its keys (raw_keys, a few distinct lists
--    that compress to nearly nothing) instead of its text, and event_raw() rebuilds the text. The
--    ingest compares the rebuilt text with the line before leaving it out, so a line that does not
--    rebuild exactly keeps its text. Read the text through events_as_sent (or event_raw()).
CREATE TABLE events_009 (
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
  raw         VARCHAR,                         -- JSON of the event as sent (survey answers removed); NULL: rebuilt from raw_keys
  run_id      BIGINT NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  raw_keys    VARCHAR,                         -- when raw is NULL: the event's keys in order, joined by '"'
  CHECK (raw IS NOT NULL OR raw_keys IS NOT NULL)
);

INSERT INTO events_009
SELECT source, id, ticket, occurred_at, type, severity, status, reason, by_role, actor, analyst, category, answer,
  client, requester, channel, gut_g, gut_u, gut_t, hours, hourly_rate, extra, raw, run_id, ingested_at, NULL
FROM events ORDER BY rowid;

DROP TABLE events;

ALTER TABLE events_009 RENAME TO events;

-- The rows were renumbered: the metrics' next recompute must not trust its rowid watermark.
DELETE FROM ticket_sla_state;

-- The text of a key of an event, as rebuilt: a text field as a JSON string written without escapes,
-- `at` as an ISO instant in UTC (milliseconds only when there are some), anything else null. Only
-- events whose line equals this rebuilding are stored without their text, so its choices only
-- decide how many events that is, never what any of them reads as.
CREATE MACRO event_raw_value(k, id, ticket, occurred_at, type, severity, status, reason, by_role, actor, analyst,
    category, answer, client, requester, channel) AS
  CASE k
    WHEN 'id' THEN '"' || id || '"'
    WHEN 'ticket' THEN '"' || ticket || '"'
    WHEN 'at' THEN '"' || CASE WHEN epoch_ms(occurred_at) % 1000 = 0
        THEN strftime(timezone('UTC', occurred_at), '%Y-%m-%dT%H:%M:%SZ')
        ELSE strftime(timezone('UTC', occurred_at), '%Y-%m-%dT%H:%M:%S.%gZ') END || '"'
    WHEN 'type' THEN '"' || type || '"'
    WHEN 'severity' THEN coalesce('"' || severity || '"', 'null')
    WHEN 'status' THEN coalesce('"' || status || '"', 'null')
    WHEN 'reason' THEN coalesce('"' || reason || '"', 'null')
    WHEN 'by' THEN coalesce('"' || by_role || '"', 'null')
    WHEN 'actor' THEN coalesce('"' || actor || '"', 'null')
    WHEN 'analyst' THEN coalesce('"' || analyst || '"', 'null')
    WHEN 'category' THEN coalesce('"' || category || '"', 'null')
    WHEN 'answer' THEN coalesce('"' || answer || '"', 'null')
    WHEN 'client' THEN coalesce('"' || client || '"', 'null')
    WHEN 'requester' THEN coalesce('"' || requester || '"', 'null')
    WHEN 'channel' THEN coalesce('"' || channel || '"', 'null')
    ELSE 'null'
  END;

-- The event as sent: raw, or its rebuilding from raw_keys.
CREATE MACRO event_raw(raw, raw_keys, id, ticket, occurred_at, type, severity, status, reason, by_role, actor, analyst,
    category, answer, client, requester, channel) AS
  coalesce(raw, '{' || array_to_string(list_transform(string_split(raw_keys, '"'), k -> '"' || k || '":' ||
    event_raw_value(k, id, ticket, occurred_at, type, severity, status, reason, by_role, actor, analyst, category,
      answer, client, requester, channel)), ',') || '}');

CREATE VIEW events_as_sent AS
SELECT source, id, ticket, run_id,
  event_raw(raw, raw_keys, id, ticket, occurred_at, type, severity, status, reason, by_role, actor, analyst, category,
    answer, client, requester, channel) AS raw
FROM events;
