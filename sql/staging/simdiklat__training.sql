-- Staging: Simdiklat competency development, one row per PNS and training (course run).
-- The NIP never lands here: only its keyed hash (nip_pseudonym, SPEC section 6).
CREATE TABLE IF NOT EXISTS stg_simdiklat__training (
    nip_pseudonym   TEXT NOT NULL,             -- HMAC-SHA256 of the NIP
    training_id     TEXT NOT NULL,
    start_date      DATE NOT NULL,
    end_date        DATE NOT NULL,             -- the training counts in the year it ends
    jp              DOUBLE PRECISION NOT NULL, -- jam pelajaran, 0 < jp <= 1000
    verified        BOOLEAN NOT NULL,          -- verified by BPSDM; only verified JP count
    _landing_month  TEXT NOT NULL,
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (nip_pseudonym, training_id)
);
