-- Staging: SIMPEG month-end PNS snapshot, one row per PNS and snapshot month.
-- The NIP never lands here: only its keyed hash (nip_pseudonym, SPEC section 6).
CREATE TABLE IF NOT EXISTS stg_simpeg__pns_snapshot (
    snapshot_month      TEXT NOT NULL,         -- YYYY-MM
    nip_pseudonym       TEXT NOT NULL,         -- HMAC-SHA256 of the NIP
    unit_code           TEXT NOT NULL,         -- Perangkat Daerah of the PNS
    education           TEXT NOT NULL,         -- SD, SMP, SLTA, D1, D2, D3, D4, S1, S2, S3
    skp_predicate       TEXT NOT NULL,         -- Sangat Baik, Baik, Butuh Perbaikan, Kurang, Sangat Kurang
    discipline_penalty  TEXT NOT NULL,         -- tidak ada, ringan, sedang, berat
    active              BOOLEAN NOT NULL,
    _landing_month      TEXT NOT NULL,
    _file               TEXT NOT NULL,
    _row_number         BIGINT NOT NULL,
    _run_id             TEXT NOT NULL,
    PRIMARY KEY (snapshot_month, nip_pseudonym)
);
