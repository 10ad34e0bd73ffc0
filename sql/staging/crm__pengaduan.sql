-- Staging: CRM public complaints, one row per ticket (natural key ticket_id).
-- A complaint resolved later arrives again in a later file and replaces its earlier version.
CREATE TABLE IF NOT EXISTS stg_crm__pengaduan (
    ticket_id       TEXT NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    category        TEXT NOT NULL,
    resolved_at     TIMESTAMPTZ,               -- NULL while open
    _landing_month  TEXT NOT NULL,
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (ticket_id)
);
