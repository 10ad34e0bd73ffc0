-- Question: which extracts lose the most rows to quarantine, and why?
-- Rejected rows of PK 2024 counted by extract, failed check and landing month, with one
-- example reason each; the largest counts first.
SELECT
    q.source,
    q.extract,
    q.check_name,
    q.landing_month,
    COUNT(*) AS rows_quarantined,
    MIN(q.reason) AS example_reason
FROM quarantine q
WHERE q.pk_year = 2024
GROUP BY q.source, q.extract, q.check_name, q.landing_month
ORDER BY rows_quarantined DESC, q.source, q.extract, q.check_name, q.landing_month;
