-- Staging: Proyeksi APBD monthly budget, one row per sub-activity and month (natural key
-- sub_activity_code, month).
CREATE TABLE IF NOT EXISTS stg_apbd__budget_monthly (
    sub_activity_code  TEXT NOT NULL,
    month              TEXT NOT NULL,             -- YYYY-MM
    pagu               DOUBLE PRECISION NOT NULL, -- annual pagu as known that month (IDR)
    rpd                DOUBLE PRECISION NOT NULL, -- that month's planned disbursement (IDR)
    realisasi          DOUBLE PRECISION NOT NULL, -- that month's actual disbursement (IDR)
    _landing_month     TEXT NOT NULL,
    _file              TEXT NOT NULL,
    _row_number        BIGINT NOT NULL,
    _run_id            TEXT NOT NULL,
    PRIMARY KEY (sub_activity_code, month)
);
