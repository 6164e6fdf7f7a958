-- The satisfaction zone's views and the insatisfeito follow-up queue, plus the Serviço Rápido facts
-- the metric registry (src/metrics/registry) aggregates. Views, not tables: they read survey_answers,
-- events and ticket_sla as they are, so a recompute or a late answer needs nothing refreshed.
--
-- Nothing here holds a respondent's identity in clear: requester is ticket_sla's keyed pseudonym
-- (src/metrics/pseudonymize.ts; the key is not in the database). Only src/metrics/satisfaction
-- reads these views and tables (role check, audit, small-group suppression in one place).

-- One row per survey answer with its ticket's dimensions. No comment: aggregates never need it;
-- listSurveyAnswers reads it from survey_answers. A survey that only scores (1–5) is rated
-- satisfeito from 4, neutro at 3, insatisfeito up to 2.
CREATE VIEW survey_facts AS
SELECT
  a.source AS answer_source,
  a.id AS answer_id,
  a.ticket,
  a.occurred_at AS answered_at,
  coalesce(a.rating, CASE WHEN a.score >= 4 THEN 'satisfeito' WHEN a.score = 3 THEN 'neutro' WHEN a.score <= 2 THEN 'insatisfeito' END) AS rating,
  a.score,
  t.client, t.requester, t.analyst, t.category, t.channel, t.severity, t.closed_at
FROM survey_answers a
LEFT JOIN ticket_sla t ON t.ticket = a.ticket;

-- One row per closed ticket: was its survey answered? The denominator of the response rate.
CREATE VIEW survey_ticket_facts AS
SELECT
  t.ticket, t.closed_at, t.client, t.requester, t.analyst, t.category, t.channel, t.severity,
  EXISTS (SELECT 1 FROM survey_answers a WHERE a.ticket = t.ticket) AS answered
FROM ticket_sla t
WHERE t.closed_at IS NOT NULL;

-- One row per Serviço Rápido job: each quick_service.proposed starts a job on its ticket; the first
-- accepted or declined after it (before the next proposal) decides it. A decision with no proposal
-- before it is a job of its own. Hours and rate: the latest stated (the acceptance's, else the
-- proposal's). occurred_at is when it was decided, else proposed: what puts it in a period.
CREATE VIEW quick_service_facts AS
WITH qs AS (
  SELECT ticket, occurred_at, type, hours, hourly_rate,
    sum(CASE WHEN type = 'quick_service.proposed' THEN 1 ELSE 0 END)
      OVER (PARTITION BY ticket ORDER BY occurred_at, id ROWS UNBOUNDED PRECEDING) AS job
  FROM events
  WHERE type IN ('quick_service.proposed', 'quick_service.accepted', 'quick_service.declined')
), jobs AS (
  SELECT ticket, job,
    min(occurred_at) FILTER (WHERE type = 'quick_service.proposed') AS proposed_at,
    min(occurred_at) FILTER (WHERE type <> 'quick_service.proposed') AS decided_at,
    arg_min(type, occurred_at) FILTER (WHERE type <> 'quick_service.proposed') AS decision,
    arg_max(hours, occurred_at) FILTER (WHERE hours IS NOT NULL AND type <> 'quick_service.declined') AS hours,
    arg_max(hourly_rate, occurred_at) FILTER (WHERE hourly_rate IS NOT NULL AND type <> 'quick_service.declined') AS hourly_rate
  FROM qs
  GROUP BY ticket, job
)
SELECT
  j.ticket, j.job, j.proposed_at, j.decided_at,
  coalesce(j.decided_at, j.proposed_at) AS occurred_at,
  CASE j.decision WHEN 'quick_service.accepted' THEN 'accepted' WHEN 'quick_service.declined' THEN 'declined' ELSE 'pending' END AS outcome,
  j.hours, j.hourly_rate, j.hours * j.hourly_rate AS value,
  t.client, t.analyst, t.category, t.channel, t.severity
FROM jobs j
LEFT JOIN ticket_sla t ON t.ticket = j.ticket;

-- The insatisfeito follow-up queue. An insatisfeito answer with no row here is open; a lead claims
-- it (a row, unique per answer), records contacts, and closes it. Only leads and admins change it;
-- leadership reads it; every change and read is in audit_log.
CREATE SEQUENCE follow_up_id START 1;

CREATE TABLE follow_ups (
  id            BIGINT PRIMARY KEY DEFAULT nextval('follow_up_id'),
  answer_source VARCHAR NOT NULL,
  answer_id     VARCHAR NOT NULL,
  ticket        VARCHAR NOT NULL,
  status        VARCHAR NOT NULL,               -- claimed, contacted, closed
  claimed_by    VARCHAR NOT NULL,               -- the lead's e-mail
  claimed_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  closed_by     VARCHAR,
  closed_at     TIMESTAMPTZ,
  resolution    VARCHAR,                        -- the lead's closing note (satisfaction zone: never in audit_log)
  UNIQUE (answer_source, answer_id)
);

CREATE SEQUENCE follow_up_contact_id START 1;

CREATE TABLE follow_up_contacts (
  id           BIGINT PRIMARY KEY DEFAULT nextval('follow_up_contact_id'),
  follow_up_id BIGINT NOT NULL,
  recorded_by  VARCHAR NOT NULL,
  recorded_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  contacted_at TIMESTAMPTZ NOT NULL,
  channel      VARCHAR NOT NULL,                -- phone, email, meeting, chat, other
  outcome      VARCHAR NOT NULL,                -- reached, no_answer, callback_scheduled, resolved, escalated
  note         VARCHAR                          -- satisfaction zone: never in audit_log
);
