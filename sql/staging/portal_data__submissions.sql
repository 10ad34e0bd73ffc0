-- Staging: Portal Data submission log, one row per version of a dataset's file.
CREATE TABLE IF NOT EXISTS stg_portal_data__submissions (
    dataset_id           TEXT NOT NULL,
    version              BIGINT NOT NULL,
    submitted_at         TIMESTAMPTZ NOT NULL,
    components_complete  BOOLEAN NOT NULL,     -- the file has all required components
    duplicate_key_rows   BIGINT NOT NULL,      -- rows duplicated on the key variables
    validated            BOOLEAN NOT NULL,     -- validated by its producer
    _landing_month       TEXT NOT NULL,
    _file                TEXT NOT NULL,
    _row_number          BIGINT NOT NULL,
    _run_id              TEXT NOT NULL,
    PRIMARY KEY (dataset_id, version)
);
