-- Staging: e-Kinerja public communication, one row per PD and month (natural key month, pd_code).
CREATE TABLE IF NOT EXISTS stg_ekinerja__komunikasi_publik (
    month                 TEXT NOT NULL,       -- YYYY-MM
    pd_code               TEXT NOT NULL,       -- Perangkat Daerah
    has_priority_program  BOOLEAN NOT NULL,    -- runs a priority/strategic program this month
    strategy_compiled     BOOLEAN NOT NULL,    -- communication strategy compiled
    materials_published   BOOLEAN NOT NULL,    -- communication materials published this month
    crises                BIGINT NOT NULL,     -- communication crises this month
    crises_responded      BIGINT NOT NULL,     -- of which responded (<= crises)
    netizen_questions     BIGINT NOT NULL,     -- relevant netizen questions/comments
    netizen_answered      BIGINT NOT NULL,     -- of which answered (<= netizen_questions)
    _landing_month        TEXT NOT NULL,
    _file                 TEXT NOT NULL,
    _row_number           BIGINT NOT NULL,
    _run_id               TEXT NOT NULL,
    PRIMARY KEY (month, pd_code)
);
