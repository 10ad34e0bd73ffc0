-- Staging: e-SAKIP output realisation, one row per sub-activity and month (natural key
-- sub_activity_code, month).
CREATE TABLE IF NOT EXISTS stg_esakip__output_realisasi (
    sub_activity_code  TEXT NOT NULL,
    month              TEXT NOT NULL,             -- YYYY-MM
    output_target      DOUBLE PRECISION,          -- annual target volume; NULL = no target
    output_realised    DOUBLE PRECISION NOT NULL, -- cumulative volume at the month's end
    _landing_month     TEXT NOT NULL,
    _file              TEXT NOT NULL,
    _row_number        BIGINT NOT NULL,
    _run_id            TEXT NOT NULL,
    PRIMARY KEY (sub_activity_code, month)
);
