-- Staging: km-bpsdm knowledge-management reports, one row per report (natural key report_id).
CREATE TABLE IF NOT EXISTS stg_km_portal__reports (
    report_id       TEXT NOT NULL,
    title           TEXT NOT NULL,
    format          TEXT NOT NULL,             -- video | tulisan
    due_quarter     BIGINT NOT NULL,           -- quarter whose quota it is due for (3 or 4)
    submitted_at    TIMESTAMPTZ NOT NULL,
    _landing_month  TEXT NOT NULL,             -- month folder of the file it last came from
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (report_id)
);
