-- Staging: Si PINTER merit-system self-assessment, one score per sub-aspect and year.
CREATE TABLE IF NOT EXISTS stg_sipinter__merit_assessment (
    year            BIGINT NOT NULL,           -- assessment year
    aspect          BIGINT NOT NULL,           -- aspect 1-8 (catalog rules of indicator merit)
    sub_aspect      BIGINT NOT NULL,           -- sub-aspect number within the aspect, from 1
    score           BIGINT NOT NULL,           -- 1-4
    _landing_month  TEXT NOT NULL,             -- month folder of the file it last came from
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (year, aspect, sub_aspect)
);
