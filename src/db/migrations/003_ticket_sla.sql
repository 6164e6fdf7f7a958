-- ticket_sla: one row per ticket, recomputed from `events` by src/metrics/recomputeTickets.ts (full,
-- or only the tickets listed in changed_tickets). Every number is reproducible from the event log
-- and the policy; `prazo ticket <id>` explains one row as a timeline.
--
-- Times are instants (TIMESTAMPTZ). Durations are business seconds (DOUBLE) in the calendar of the
-- ticket's current severity: 24x7 counts every second, 8x5 only its open hours. Targets are the
-- current severity's, measured from the opening (a severity change re-targets from the opening;
-- pause time is kept across it).
--
-- There is no primary key: the recompute deletes and rewrites a ticket's row in one transaction,
-- and a unique index would cost more than the whole write of a full recompute. Stored columns are
-- what the computation produces; the columns derived from them are generated (VIRTUAL), so the
-- rules for met / margin / remaining live here once.

CREATE TYPE sla_severity AS ENUM ('urgente', 'alta', 'media', 'baixa');
CREATE TYPE sla_status AS ENUM ('novo', 'em_atendimento', 'aguardando_cliente', 'resolvido', 'fechado');
CREATE TYPE sla_close_reason AS ENUM ('approved', 'auto', 'manual');
CREATE TYPE sla_state AS ENUM ('on_track', 'at_risk', 'breached');

CREATE TABLE ticket_sla (
  -- Stored uncompressed: ticket ids are unique, so compressing them saves little space and analysing
  -- them for compression was the largest single cost of writing a million rows.
  ticket                  VARCHAR NOT NULL USING COMPRESSION uncompressed,
  client                  VARCHAR,            -- from ticket.opened
  requester               UUID,               -- keyed pseudonym: HMAC-SHA256 of the requester, first 128 bits; the key is not in the database
  analyst                 VARCHAR,            -- the last ticket.assigned
  category                VARCHAR,            -- the last ticket.categorized
  channel                 VARCHAR,
  gut_score               SMALLINT,           -- gravidade × urgência × tendência (1–125) when recorded
  severity                sla_severity,       -- current; NULL when no event says (flag unknown_severity)
  severity_history        VARCHAR,            -- JSON [{"at","severity"}, …] when the severity changed; NULL: never changed
  status                  sla_status,         -- status now (after the last event)
  opened_at               TIMESTAMPTZ,        -- ticket.opened (else the first event: flag missing_opened)
  first_response_at       TIMESTAMPTZ,        -- earliest of the first analyst reply and the first move out of novo (configurable)
  resolved_at             TIMESTAMPTZ,        -- the resolvido finally accepted, auto-closed or still awaiting an answer;
                                              -- the fechado of a ticket closed without resolvido; NULL while worked on
  closed_at               TIMESTAMPTZ,
  close_reason            sla_close_reason,   -- as the fechado says (approved for an approval "sim"); NULL when it does not say
  reopen_count            INTEGER NOT NULL,   -- each "não", each move back from resolvido or fechado
  response_target_seconds DOUBLE,
  solution_target_seconds DOUBLE,
  response_seconds        DOUBLE,             -- B(first response) − B(opened); no pause
  solution_seconds        DOUBLE,             -- B(resolved) − B(opened) − paused
  paused_seconds          DOUBLE,             -- business seconds in aguardando_cliente, in rejected resolvidos awaiting approval
                                              -- and in fechado before a reopen; before resolved_at (open: before evaluated_at)
  response_deadline       TIMESTAMPTZ,        -- B⁻¹(B(opened) + response target)
  solution_deadline       TIMESTAMPTZ,        -- B⁻¹(B(opened) + solution target + paused): moves with pauses
  consumed_seconds        DOUBLE,             -- open tickets (no resolved_at): B(evaluated_at) − B(opened) − paused
  state                   sla_state,          -- open tickets: breached past the target, at_risk from atRiskThreshold of it
  auto_close_due_at       TIMESTAMPTZ,        -- resolvido awaiting an answer (or auto-closed): that many business days later
  quality_mask            INTEGER NOT NULL,   -- bits of quality_flags (src/metrics/sla/qualityFlags.ts)
  first_event_at          TIMESTAMPTZ,        -- the ticket's earliest and latest event, as dated: bounds an incremental
  last_event_at           TIMESTAMPTZ,        -- recompute's search for the ticket's events (recomputeTickets.ts)
  evaluated_at            TIMESTAMPTZ NOT NULL, -- the "now" the live clock and overdue checks were evaluated against
  computed_at             TIMESTAMPTZ NOT NULL, -- when this row was written

  -- Met means within the target in business time: an answer after hours, before the calendar
  -- reopens, used no more business time than the deadline did. Unknown (NULL) while it can still go
  -- either way; false as soon as the target is used up.
  response_met BOOLEAN GENERATED ALWAYS AS (
    CASE WHEN first_response_at IS NOT NULL THEN response_seconds <= response_target_seconds
         WHEN evaluated_at > response_deadline THEN false END) VIRTUAL,
  solution_met BOOLEAN GENERATED ALWAYS AS (
    CASE WHEN resolved_at IS NOT NULL THEN solution_seconds <= solution_target_seconds
         WHEN consumed_seconds > solution_target_seconds THEN false END) VIRTUAL,
  -- Target minus the time taken: positive is time to spare, negative is by how much it was breached.
  response_margin_seconds DOUBLE GENERATED ALWAYS AS (response_target_seconds - response_seconds) VIRTUAL,
  solution_margin_seconds DOUBLE GENERATED ALWAYS AS (solution_target_seconds - solution_seconds) VIRTUAL,
  remaining_seconds       DOUBLE GENERATED ALWAYS AS (solution_target_seconds - consumed_seconds) VIRTUAL,
  -- Keep in the order of QUALITY_FLAGS in src/metrics/sla/qualityFlags.ts (a test checks it).
  quality_flags VARCHAR[] GENERATED ALWAYS AS (flatten([
    CASE WHEN (quality_mask & 1) <> 0 THEN ['out_of_order'] ELSE [] END,
    CASE WHEN (quality_mask & 2) <> 0 THEN ['duplicate_status'] ELSE [] END,
    CASE WHEN (quality_mask & 4) <> 0 THEN ['closed_without_resolved'] ELSE [] END,
    CASE WHEN (quality_mask & 8) <> 0 THEN ['unended_pause'] ELSE [] END,
    CASE WHEN (quality_mask & 16) <> 0 THEN ['auto_close_overdue'] ELSE [] END,
    CASE WHEN (quality_mask & 32) <> 0 THEN ['events_before_opened'] ELSE [] END,
    CASE WHEN (quality_mask & 64) <> 0 THEN ['missing_opened'] ELSE [] END,
    CASE WHEN (quality_mask & 128) <> 0 THEN ['unknown_severity'] ELSE [] END,
    CASE WHEN (quality_mask & 256) <> 0 THEN ['time_out_of_range'] ELSE [] END
  ])) VIRTUAL
);

-- Where the last recompute stopped reading `events`: events is append-only and DuckDB numbers rows
-- in commit order, so the events committed since then are exactly those with rowid >= events_seen.
-- An incremental recompute reads them through that (cheap) rowid range and finds the older events
-- of the changed tickets between their first_event_at and last_event_at. Anything that deletes or
-- rewrites events must delete this row (the next recompute then searches by ticket, which is slower
-- but needs no watermark).
CREATE TABLE ticket_sla_state (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  events_seen BIGINT NOT NULL,                -- rows of events the last recompute had read (max rowid + 1)
  updated_at  TIMESTAMPTZ NOT NULL
);
