-- Question: what changed since the last report?
-- The last report was made after the monthly run of 2024-11. For every agency-level quarter
-- and year number: the value that report showed (the latest revision loaded by a run of a
-- period up to 2024-11) beside the value now, for the numbers that are new or changed since.
-- A window that simply grew by a month shows a new as_of_month; v_restatement lists only the
-- corrections of a window that was already complete. For another report change '2024-11'.
WITH reported AS (
    SELECT h.pk_year, h.indicator_no, h.unit_code, h.period, MAX(h.revision) AS revision
    FROM indicator_result_history h
    JOIN pipeline_run pr ON pr.run_id = h.run_id
    WHERE h.pk_year = 2024 AND pr.period <= '2024-11'
    GROUP BY h.pk_year, h.indicator_no, h.unit_code, h.period
)
SELECT
    cur.indicator_no,
    i.short_name AS indicator,
    cur.period,
    was.as_of_month AS reported_as_of_month,
    was.value AS reported_value,
    was.status AS reported_status,
    cur.as_of_month,
    cur.value,
    cur.status,
    cur.value - was.value AS change,
    CASE WHEN was.revision IS NULL THEN 'baru' ELSE 'berubah' END AS kind,
    cur.run_id,
    cur.computed_at
FROM indicator_result cur
JOIN indicator i ON i.pk_year = cur.pk_year AND i.indicator_no = cur.indicator_no
LEFT JOIN reported rep ON rep.pk_year = cur.pk_year AND rep.indicator_no = cur.indicator_no
    AND rep.unit_code = cur.unit_code AND rep.period = cur.period
LEFT JOIN indicator_result_history was ON was.pk_year = rep.pk_year AND was.indicator_no = rep.indicator_no
    AND was.unit_code = rep.unit_code AND was.period = rep.period AND was.revision = rep.revision
WHERE cur.pk_year = 2024
    AND cur.unit_code = 'ALL'
    AND cur.period_type IN ('quarter', 'year')
    AND (rep.revision IS NULL OR cur.revision > rep.revision)
ORDER BY cur.indicator_no, cur.period;
