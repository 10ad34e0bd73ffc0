-- Landing-file arrivals. Portable DDL: runs as-is on SQLite and PostgreSQL.
-- Which landing file of a PK year arrived, when, and which are late or missing, by the catalog's
-- cadence of each extract and its collection deadline (kinerja.arrival). Written by every run for
-- the months of its year to date; `kinerja status` prints it as a matrix.

CREATE TABLE IF NOT EXISTS landing_arrival (
    pk_year          INTEGER NOT NULL,         -- year of the Perjanjian Kinerja
    extract_id       TEXT NOT NULL,            -- source/extract
    month            TEXT NOT NULL,            -- month folder (YYYY-MM)
    cadence          TEXT NOT NULL,            -- monthly | on_change (catalog)
    expected         BOOLEAN NOT NULL,         -- a file is expected this month (monthly; on_change until its first file)
    deadline         TEXT NOT NULL,            -- collection deadline of the month (ISO, local time)
    status           TEXT NOT NULL,            -- on time | late | missing | awaited | not expected
    file             TEXT,                     -- path inside the landing directory
    size_bytes       BIGINT,                   -- size of the current version
    mtime_ns         BIGINT,                   -- modification time of the current version (ns since 1970)
    first_seen_at    TEXT,                     -- when the first version seen landed (ISO, local time)
    changed_at       TEXT,                     -- when the current version landed, if not the first
    first_sha256     TEXT,                     -- checksum of the first version seen
    sha256           TEXT,                     -- checksum of the current version
    staged_sha256    TEXT,                     -- checksum of the version the run of its month staged last
    corrected        BOOLEAN NOT NULL,         -- replaced after its month was staged
    reported_run_id  TEXT,                     -- the run whose alert named it late or missing (once)
    checked_at       TEXT,                     -- when a run last looked (ISO, local time)
    PRIMARY KEY (pk_year, extract_id, month)
);
