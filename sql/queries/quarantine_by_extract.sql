-- Question: which extracts lose the most rows to quarantine, and why?
-- Rejected rows of PK 2024 counted by extract, failed check and landing month, with one
-- example reason each; the largest counts first. Each landing file counts as its latest run
-- left it (a rerun replaces a file's rows, it does not add to them), one per row.
WITH latest AS (
    SELECT e.extract_id, e.landing_month, e.run_id,
           ROW_NUMBER() OVER (PARTITION BY e.extract_id, e.landing_month
                              ORDER BY r.started_at DESC, r.run_id DESC) AS n
    FROM pipeline_run_extract e
    JOIN pipeline_run r ON r.run_id = e.run_id
    WHERE r.pk_year = 2024
)
SELECT
    q.source,
    q.extract,
    q.check_name,
    q.landing_month,
    COUNT(DISTINCT q.row_number) AS rows_quarantined,
    MIN(q.reason) AS example_reason
FROM quarantine q
JOIN latest l ON l.n = 1 AND l.run_id = q.run_id AND l.landing_month = q.landing_month
             AND l.extract_id = q.source || '/' || q.extract
WHERE q.pk_year = 2024
GROUP BY q.source, q.extract, q.check_name, q.landing_month
ORDER BY rows_quarantined DESC, q.source, q.extract, q.check_name, q.landing_month;
