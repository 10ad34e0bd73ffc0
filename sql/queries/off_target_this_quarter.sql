-- Question: which indicators are off target this quarter?
-- The agency-level (unit ALL) results of TW III 2024 that missed their target or have no data,
-- worst first, with the gap to the target. For another quarter change '2024-Q3'.
-- A quarter still in progress shows as_of_month before its last month (e.g. 2024-08 for TW III).
SELECT
    r.indicator_no,
    i.short_name AS indicator,
    i.unit_of_measure,
    r.period,
    r.as_of_month,
    r.target,
    r.value AS realisasi,
    r.value - r.target AS gap,
    r.capaian_pct,
    r.status
FROM indicator_result r
JOIN indicator i ON i.pk_year = r.pk_year AND i.indicator_no = r.indicator_no
WHERE r.pk_year = 2024
    AND r.period = '2024-Q3'
    AND r.unit_code = 'ALL'
    AND r.status IN ('tidak tercapai', 'tidak ada data')
ORDER BY CASE WHEN r.capaian_pct IS NULL THEN 1 ELSE 0 END, r.capaian_pct, r.indicator_no;
