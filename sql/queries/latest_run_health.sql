-- Question: did the latest run succeed, and if not, which landing files failed?
-- The latest run of PK 2024 (v_latest_run) with each of its landing files that failed,
-- or a single row with no file when every file was staged.
SELECT
    lr.run_id,
    lr.period,
    lr.status,
    lr.started_at,
    lr.finished_at,
    lr.latest_completed_period,
    lr.rows_in,
    lr.rows_quarantined,
    e.extract_id AS failed_extract,
    e.file AS failed_file,
    e.message AS failure
FROM v_latest_run lr
LEFT JOIN pipeline_run_extract e ON e.run_id = lr.run_id AND e.status = 'failed'
WHERE lr.pk_year = 2024
ORDER BY e.extract_id;
