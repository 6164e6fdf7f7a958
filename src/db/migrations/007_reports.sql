-- Reports (DESIGN.md §3 "Delivery is an outbox"): every generated PDF is a row and a file; each
-- recipient of a report is a delivery row with its attempts and last error. Written by src/reports.

CREATE SEQUENCE report_id START 1;

-- One row per generated report, keyed by (kind, period): a second run for the same period finds the
-- row and does nothing. The file at `path` is kept (the archive); sha256 lets a reader check it.
CREATE TABLE reports (
  id            BIGINT PRIMARY KEY DEFAULT nextval('report_id'),
  kind          VARCHAR NOT NULL,               -- weekly
  period        VARCHAR NOT NULL,               -- ISO week for weekly, e.g. 2026-W47
  period_start  TIMESTAMPTZ NOT NULL,           -- Monday 00:00 America/Sao_Paulo
  period_end    TIMESTAMPTZ NOT NULL,           -- the next Monday 00:00 (exclusive)
  path          VARCHAR NOT NULL,
  bytes         BIGINT NOT NULL,
  sha256        VARCHAR NOT NULL,               -- hex SHA-256 of the file
  pages         INTEGER NOT NULL,
  generated_at  TIMESTAMPTZ NOT NULL,
  UNIQUE (kind, period)
);

-- Who receives the reports. Removing sets removed_at (the deliveries keep their history); adding
-- the address again clears it.
CREATE TABLE recipients (
  email      VARCHAR PRIMARY KEY,               -- lower-case
  name       VARCHAR,
  added_at   TIMESTAMPTZ NOT NULL,
  removed_at TIMESTAMPTZ
);

-- The outbox: one row per (report, recipient). status: pending → sending → sent, or back to pending
-- with next_attempt_at after a failure, or failed after the last attempt. A row found in 'sending'
-- at start was interrupted between the SMTP send and recording it: it is sent again with the same
-- message_id (at-least-once; the Message-ID lets mail clients drop the duplicate). See createOutbox.ts.
CREATE TABLE deliveries (
  report_id       BIGINT NOT NULL,
  recipient       VARCHAR NOT NULL,
  status          VARCHAR NOT NULL,             -- pending, sending, sent, failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  last_error      VARCHAR,
  sent_at         TIMESTAMPTZ,
  message_id      VARCHAR NOT NULL,             -- <report-R.HASH@prazo>: fixed per (report, recipient)
  created_at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (report_id, recipient)
);

-- Short-lived tokens that let the report job's browser open the print page. Only the SHA-256 of
-- the token is kept (it carries 256 random bits); a token is deleted once its page is printed.
CREATE TABLE print_tokens (
  token_hash VARCHAR PRIMARY KEY,
  purpose    VARCHAR NOT NULL,                  -- e.g. weekly:2026-W47
  expires_at TIMESTAMPTZ NOT NULL
);
