-- Staging: Portal Data daftar data (datasets each producer must deliver), key dataset_id.
CREATE TABLE IF NOT EXISTS stg_portal_data__daftar_data (
    dataset_id      TEXT NOT NULL,
    producer_pd     TEXT NOT NULL,             -- producing Perangkat Daerah
    title           TEXT NOT NULL,
    key_variables   TEXT,                      -- the dataset's key variables, comma-separated
    release_date    DATE NOT NULL,             -- scheduled release (jadwal rilis)
    _landing_month  TEXT NOT NULL,
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (dataset_id)
);
