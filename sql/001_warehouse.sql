-- Kinerja warehouse, version 1. Portable DDL: runs as-is on SQLite and PostgreSQL.
-- Timestamps are ISO 8601 with offset; on SQLite they are stored as text.

CREATE TABLE IF NOT EXISTS schema_version (
    version      INTEGER PRIMARY KEY,          -- highest DDL file number applied
    description  TEXT NOT NULL,
    applied_at   TIMESTAMPTZ NOT NULL
);

-- One row per extract: bumped by every write to its staging table, so a process that keeps the
-- staged rows in memory knows when another process (or a rebuilt warehouse) changed them.
CREATE TABLE IF NOT EXISTS staging_version (
    extract_id   TEXT NOT NULL,                -- source/name of the extract
    version      BIGINT NOT NULL,              -- number of writes to its staging table
    token        TEXT NOT NULL,                -- random id of the last write
    staged_at    TIMESTAMPTZ NOT NULL,         -- when it was written
    PRIMARY KEY (extract_id)
);

-- The catalog: one row per indicator of a PK year (loaded from catalog/pk-<year>.toml).
CREATE TABLE IF NOT EXISTS indicator (
    pk_year          INTEGER NOT NULL,         -- year of the Perjanjian Kinerja
    indicator_no     INTEGER NOT NULL,         -- number in the agreement (1-14)
    code             TEXT NOT NULL,            -- short code used in the code base (skm, sdi, ...)
    level            TEXT NOT NULL,            -- Sasaran Strategis / Khusus / Operasional
    sasaran          TEXT NOT NULL,            -- the objective (sasaran)
    name             TEXT NOT NULL,            -- indicator text as signed
    short_name       TEXT NOT NULL,
    unit_of_measure  TEXT NOT NULL,            -- Nilai / Persen
    source_system    TEXT NOT NULL,
    window_kind      TEXT NOT NULL,            -- period | snapshot | ytd | increment
    polarity         TEXT NOT NULL,            -- higher | lower is better
    extracts         TEXT NOT NULL,            -- comma-separated source/extract ids it reads
    decimals         INTEGER NOT NULL,         -- display precision
    catalog_file     TEXT NOT NULL,
    PRIMARY KEY (pk_year, indicator_no)
);

-- Targets per quarter (TW I-IV) and year; target NULL = N/A in the agreement.
CREATE TABLE IF NOT EXISTS indicator_target (
    pk_year       INTEGER NOT NULL,
    indicator_no  INTEGER NOT NULL,
    period        TEXT NOT NULL,               -- 2024-Q1 .. 2024-Q4, 2024
    period_type   TEXT NOT NULL,               -- quarter | year
    target        DOUBLE PRECISION,
    PRIMARY KEY (pk_year, indicator_no, period)
);

-- Rencana aksi (action plans): the outputs of IKU 1 and 2 with their due quarter.
CREATE TABLE IF NOT EXISTS action_plan (
    pk_year       INTEGER NOT NULL,
    iku_no        INTEGER NOT NULL,
    output_code   TEXT NOT NULL,               -- e.g. T/O1.1.1
    rencana_aksi  TEXT NOT NULL,
    kriteria      TEXT NOT NULL,               -- kriteria keberhasilan
    output        TEXT NOT NULL,
    due_quarter   INTEGER NOT NULL,
    PRIMARY KEY (pk_year, iku_no, output_code)
);

-- Status of each action-plan output per period: done on time, done late, pending, overdue.
CREATE TABLE IF NOT EXISTS action_plan_status (
    pk_year       INTEGER NOT NULL,
    iku_no        INTEGER NOT NULL,
    output_code   TEXT NOT NULL,
    period        TEXT NOT NULL,
    period_type   TEXT NOT NULL,
    as_of_month   TEXT NOT NULL,
    completed_on  DATE,
    status        TEXT NOT NULL,               -- selesai tepat waktu | selesai terlambat | belum jatuh tempo | terlambat
    run_id        TEXT NOT NULL,
    computed_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pk_year, iku_no, output_code, period)
);

-- One row per pipeline run (a month of a PK year).
CREATE TABLE IF NOT EXISTS pipeline_run (
    run_id            TEXT PRIMARY KEY,        -- the Prefect flow run id when run under Prefect
    flow_name         TEXT NOT NULL,
    pk_year           INTEGER NOT NULL,
    period            TEXT NOT NULL,           -- the run's month, YYYY-MM
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            TEXT NOT NULL,           -- running | completed | failed
    message           TEXT,
    rows_in           BIGINT,
    rows_staged       BIGINT,
    rows_quarantined  BIGINT,
    files_json        TEXT                     -- every landing file read: path, sha256, counts
);

-- Lineage per landing file of a run.
CREATE TABLE IF NOT EXISTS pipeline_run_extract (
    run_id            TEXT NOT NULL,
    extract_id        TEXT NOT NULL,           -- source/extract
    landing_month     TEXT NOT NULL,
    file              TEXT,                    -- path inside the landing directory
    sha256            TEXT,
    status            TEXT NOT NULL,           -- staged | failed
    message           TEXT,
    rows_read         BIGINT NOT NULL,
    rows_staged       BIGINT NOT NULL,
    rows_quarantined  BIGINT NOT NULL,
    PRIMARY KEY (run_id, extract_id, landing_month)
);

-- Rows rejected by validation, with where and why. NIPs are masked.
CREATE TABLE IF NOT EXISTS quarantine (
    run_id          TEXT NOT NULL,
    pk_year         INTEGER NOT NULL,
    landing_month   TEXT NOT NULL,
    source          TEXT NOT NULL,
    extract         TEXT NOT NULL,
    file            TEXT NOT NULL,
    row_number      BIGINT NOT NULL,           -- as a spreadsheet shows it (header = row 1)
    column_name     TEXT,
    check_name      TEXT NOT NULL,
    value           TEXT,
    reason          TEXT NOT NULL,
    quarantined_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS quarantine_by_run ON quarantine (run_id);
CREATE INDEX IF NOT EXISTS quarantine_by_file ON quarantine (pk_year, landing_month, source, extract);

-- The current value of every indicator, unit and period.
CREATE TABLE IF NOT EXISTS indicator_result (
    pk_year        INTEGER NOT NULL,
    indicator_no   INTEGER NOT NULL,
    unit_code      TEXT NOT NULL,              -- ALL = agency level (compared with the target)
    period         TEXT NOT NULL,              -- 2024-03 | 2024-Q1 | 2024
    period_type    TEXT NOT NULL,              -- month | quarter | year
    as_of_month    TEXT NOT NULL,              -- last month the window includes
    value          DOUBLE PRECISION,           -- realisasi, full precision; NULL = tidak ada data
    target         DOUBLE PRECISION,
    capaian_pct    DOUBLE PRECISION,           -- achievement %, uncapped
    status         TEXT NOT NULL,              -- tercapai | tidak tercapai | tanpa target | tidak ada data
    category       TEXT,
    n_source_rows  BIGINT NOT NULL,
    run_id         TEXT NOT NULL,
    computed_at    TIMESTAMPTZ NOT NULL,
    revision       INTEGER NOT NULL,           -- 1 for the first value, +1 per change
    PRIMARY KEY (pk_year, indicator_no, unit_code, period)
);

-- Every value ever loaded: a published number and its restatements.
CREATE TABLE IF NOT EXISTS indicator_result_history (
    pk_year        INTEGER NOT NULL,
    indicator_no   INTEGER NOT NULL,
    unit_code      TEXT NOT NULL,
    period         TEXT NOT NULL,
    revision       INTEGER NOT NULL,
    period_type    TEXT NOT NULL,
    as_of_month    TEXT NOT NULL,
    value          DOUBLE PRECISION,
    target         DOUBLE PRECISION,
    capaian_pct    DOUBLE PRECISION,
    status         TEXT NOT NULL,
    category       TEXT,
    n_source_rows  BIGINT NOT NULL,
    run_id         TEXT NOT NULL,
    computed_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pk_year, indicator_no, unit_code, period, revision)
);

-- Sub-measures of an indicator (NRRs, aspect ratios, ...), current values.
CREATE TABLE IF NOT EXISTS indicator_component (
    pk_year        INTEGER NOT NULL,
    indicator_no   INTEGER NOT NULL,
    unit_code      TEXT NOT NULL,
    period         TEXT NOT NULL,
    component      TEXT NOT NULL,
    value          DOUBLE PRECISION,
    as_of_month    TEXT NOT NULL,
    run_id         TEXT NOT NULL,
    computed_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pk_year, indicator_no, unit_code, period, component)
);
