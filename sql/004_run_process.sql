-- The process of each run. Portable DDL: runs as-is on SQLite and PostgreSQL.
-- A run killed outright (out of memory, kill -9) never records its end: the next run, or
-- `kinerja status`, finds its process gone and marks it abandoned (kinerja.processes,
-- kinerja.warehouse.runs). A table of its own, so that an existing warehouse gets it by CREATE.

CREATE TABLE IF NOT EXISTS pipeline_run_process (
    run_id        TEXT PRIMARY KEY,            -- pipeline_run.run_id
    host          TEXT NOT NULL,               -- the machine's host name
    pid           BIGINT NOT NULL,             -- the process id
    pid_started   BIGINT                       -- the process's start time (Linux: clock ticks since boot), so that a later process given the same id is not taken for it
);
