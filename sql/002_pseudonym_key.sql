-- The pseudonym key of the warehouse. Portable DDL: runs as-is on SQLite and PostgreSQL.
-- Staged NIP pseudonyms only join when every month is hashed with the same key, so the warehouse
-- remembers which key that is, by a fingerprint only: never the key itself.

-- One row at most: the key the staged pseudonyms are made with (kinerja.keys).
CREATE TABLE IF NOT EXISTS pseudonym_key_fingerprint (
    slot          INTEGER PRIMARY KEY CHECK (slot = 1),  -- always 1: one key per warehouse
    fingerprint   TEXT NOT NULL,               -- hex HMAC-SHA256 of a fixed label, keyed by the key
    recorded_at   TIMESTAMPTZ NOT NULL,        -- when this key was recorded
    recorded_by   TEXT NOT NULL                -- the run that first staged personal data with it, or 'kinerja rekey'
);
