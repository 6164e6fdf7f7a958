-- A text field of an event rebuilt from its column is written as JavaScript's JSON.stringify writes
-- it (json_text), escapes and all, instead of verbatim between quotes. The Parquet import then no
-- longer asks, for every text of every row, whether JSON would escape it before leaving the row's
-- text out: that question (one to_json per text) was a sixth of the cost of checking a row.
-- Every event stored without its text so far held only texts JSON writes unescaped (the import
-- checked it), which json_text writes as before: no stored event reads differently.

-- A text as JSON.stringify writes it: DuckDB's to_json writes the same escapes but for the hex
-- digits of \u escapes (\u000B where JavaScript writes \u000b). Split at the escaped backslashes
-- (\\), what remains of a \u00XX is an escape, never text.
CREATE MACRO json_text(x) AS
  CASE WHEN contains(to_json(x)::VARCHAR, '\u00')
    THEN array_to_string(list_transform(string_split(to_json(x)::VARCHAR, '\\'), p ->
      replace(replace(replace(replace(replace(replace(replace(replace(replace(p,
        '\u000B', '\u000b'), '\u000E', '\u000e'), '\u000F', '\u000f'), '\u001A', '\u001a'), '\u001B', '\u001b'),
        '\u001C', '\u001c'), '\u001D', '\u001d'), '\u001E', '\u001e'), '\u001F', '\u001f')), '\\')
    ELSE to_json(x)::VARCHAR
  END;

CREATE OR REPLACE MACRO event_raw_value(k, id, ticket, occurred_at, type, severity, status, reason, by_role, actor, analyst,
    category, answer, client, requester, channel) AS
  CASE k
    WHEN 'id' THEN json_text(id)
    WHEN 'ticket' THEN json_text(ticket)
    WHEN 'at' THEN '"' || CASE WHEN epoch_ms(occurred_at) % 1000 = 0
        THEN strftime(timezone('UTC', occurred_at), '%Y-%m-%dT%H:%M:%SZ')
        ELSE strftime(timezone('UTC', occurred_at), '%Y-%m-%dT%H:%M:%S.%gZ') END || '"'
    WHEN 'type' THEN json_text(type)
    WHEN 'severity' THEN coalesce(json_text(severity), 'null')
    WHEN 'status' THEN coalesce(json_text(status), 'null')
    WHEN 'reason' THEN coalesce(json_text(reason), 'null')
    WHEN 'by' THEN coalesce(json_text(by_role), 'null')
    WHEN 'actor' THEN coalesce(json_text(actor), 'null')
    WHEN 'analyst' THEN coalesce(json_text(analyst), 'null')
    WHEN 'category' THEN coalesce(json_text(category), 'null')
    WHEN 'answer' THEN coalesce(json_text(answer), 'null')
    WHEN 'client' THEN coalesce(json_text(client), 'null')
    WHEN 'requester' THEN coalesce(json_text(requester), 'null')
    WHEN 'channel' THEN coalesce(json_text(channel), 'null')
    ELSE 'null'
  END;
