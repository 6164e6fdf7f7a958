-- Source tokens (DESIGN.md §4): an ingest source authenticates with a bearer token that can only
-- write events, and only to its own source.
--
-- The token is `prazo_<id>_<secret>`: <id> is public (it names the token in `prazo token list` and
-- `revoke`), <secret> is 32 random bytes. Prazo prints the token once, at creation, and keeps only
-- the SHA-256 of the whole token. A fast hash is enough here: the token carries 256 random bits, so
-- there is nothing to brute-force (slow hashes exist for low-entropy passwords). Verification looks
-- the row up by <id> and compares the hashes in constant time.
--
-- hmac_secret, when set, is the key a webhook sender signs its bodies with
-- (X-Prazo-Signature: sha256=<hex HMAC-SHA256 of the raw body>). HMAC is symmetric: to verify a
-- signature the server needs the key itself, so unlike the token it cannot be stored hashed. The
-- trade-off, accepted: whoever can read this file can forge signatures for that source. That same
-- reader could already write events into this file directly, and a signed request still needs the
-- bearer token, which cannot be recovered from its hash; so a leaked copy of the database does not
-- by itself let anyone send events. What the signature adds is integrity of the body between the
-- sender and Prazo (proxies, queues, logs that keep a token). Protect the file (mode 0600); encrypting
-- the key under a server key from the environment is the upgrade if that is not enough.

CREATE TABLE source_tokens (
  id           VARCHAR PRIMARY KEY,             -- the public part of the token (16 hex digits)
  source       VARCHAR NOT NULL,                -- the only source the token may write to
  token_hash   VARCHAR NOT NULL,                -- hex SHA-256 of the whole token
  hmac_secret  VARCHAR,                         -- HMAC-SHA256 key (hex) when the sender signs bodies
  created_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  revoked_at   TIMESTAMPTZ,                     -- set once; a revoked token is refused (401)
  last_used_at TIMESTAMPTZ                      -- last accepted request, updated at most once a minute
);
