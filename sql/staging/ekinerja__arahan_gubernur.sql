-- Staging: e-Kinerja governor's directives, one row per directive (natural key directive_id).
-- A directive completed later arrives again in a later file and replaces its earlier version.
CREATE TABLE IF NOT EXISTS stg_ekinerja__arahan_gubernur (
    directive_id    TEXT NOT NULL,
    channel         TEXT NOT NULL,             -- rapim | e-office | media-elektronik | lainnya
    issued_at       TIMESTAMPTZ NOT NULL,
    completed_at    TIMESTAMPTZ,               -- NULL while the follow-up is open
    _landing_month  TEXT NOT NULL,
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (directive_id)
);
