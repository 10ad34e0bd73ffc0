-- Staging: e-SAKIP risk-monitoring documents (FLPR) and their verification, key doc_id.
CREATE TABLE IF NOT EXISTS stg_esakip__risk_documents (
    doc_id          TEXT NOT NULL,
    doc_type        TEXT NOT NULL,             -- FLPR-TW2 | FLPR-TW4
    submitted_at    TIMESTAMPTZ NOT NULL,
    verified        BOOLEAN NOT NULL,          -- verified by the Inspektorat
    verified_at     TIMESTAMPTZ,               -- NULL while unverified
    _landing_month  TEXT NOT NULL,
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (doc_id)
);
