-- Staging: e-SAKIP completion of the rencana aksi outputs, key (iku_no, output_code).
CREATE TABLE IF NOT EXISTS stg_esakip__rencana_aksi (
    iku_no          BIGINT NOT NULL,
    output_code     TEXT NOT NULL,             -- e.g. T/O1.1.1 (catalog action_plan)
    completed_on    DATE,                      -- NULL while not done
    _landing_month  TEXT NOT NULL,
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (iku_no, output_code)
);
