-- Staging: e-Kinerja SKM survey responses, one row per response (natural key response_id).
CREATE TABLE IF NOT EXISTS stg_ekinerja__skm_responses (
    response_id     TEXT NOT NULL,
    unit_code       TEXT NOT NULL,             -- BKD or a Suku Badan (catalog units)
    submitted_on    DATE NOT NULL,
    u1              BIGINT,                    -- answers 1-4 per element (unsur); NULL = blank
    u2              BIGINT,
    u3              BIGINT,
    u4              BIGINT,
    u5              BIGINT,
    u6              BIGINT,
    u7              BIGINT,
    u8              BIGINT,
    u9              BIGINT,
    _landing_month  TEXT NOT NULL,             -- month folder of the file it last came from
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (response_id)
);
