-- Staging: SIPD spending realisations (SPJ), one row per transaction (natural key transaction_id).
CREATE TABLE IF NOT EXISTS stg_sipd__belanja_realisasi (
    transaction_id  TEXT NOT NULL,
    account_code    TEXT NOT NULL,             -- kode rekening, dotted numeric segments
    amount          DOUBLE PRECISION NOT NULL, -- IDR; negative = correction
    spj_date        DATE NOT NULL,
    pdn_flag        BOOLEAN NOT NULL,          -- TKDN-certified, PDN or UMK
    _landing_month  TEXT NOT NULL,
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (transaction_id)
);
