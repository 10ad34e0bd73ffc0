-- Staging: BPK audit recommendations since the first LHP year, one row per recommendation (rec_id).
CREATE TABLE IF NOT EXISTS stg_bpk__rekomendasi (
    rec_id          TEXT NOT NULL,
    lhp_year        BIGINT NOT NULL,           -- year of the audit report (LHP)
    unit_code       TEXT NOT NULL,             -- PD / UKPD responsible for the follow-up
    resolved_at     TIMESTAMPTZ,               -- NULL while unresolved
    verified        BOOLEAN NOT NULL,          -- follow-up verified by the Inspektorat
    verified_at     TIMESTAMPTZ,               -- NULL while unverified
    _landing_month  TEXT NOT NULL,
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (rec_id)
);
