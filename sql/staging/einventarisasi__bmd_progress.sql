-- Staging: e-Inventarisasi month-end BMD inventory progress, one row per UPB and snapshot month.
CREATE TABLE IF NOT EXISTS stg_einventarisasi__bmd_progress (
    snapshot_month  TEXT NOT NULL,             -- YYYY-MM
    upb_code        TEXT NOT NULL,             -- Unit Pengelola Barang
    pd_code         TEXT NOT NULL,             -- Perangkat Daerah (Pengguna Barang)
    sk_tim          BOOLEAN NOT NULL,          -- preparation documents
    daftar_ruangan  BOOLEAN NOT NULL,
    daftar_bmd      BOOLEAN NOT NULL,
    items_owned     BIGINT NOT NULL,           -- BMD items owned (Peralatan dan Mesin)
    items_entered   BIGINT NOT NULL,           -- items entered in the worksheet (may exceed owned)
    berita_acara    BOOLEAN NOT NULL,          -- reporting documents
    sptjm           BOOLEAN NOT NULL,
    lhi             BOOLEAN NOT NULL,
    _landing_month  TEXT NOT NULL,
    _file           TEXT NOT NULL,
    _row_number     BIGINT NOT NULL,
    _run_id         TEXT NOT NULL,
    PRIMARY KEY (snapshot_month, upb_code)
);
