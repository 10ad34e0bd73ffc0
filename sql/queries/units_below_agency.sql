-- Question: which units pull an indicator down this quarter?
-- The breakdown rows (units, Suku Badan, producers of data, ...) of indicator 3 (SKM) in TW III
-- 2024 next to the agency-level value, lowest first. Change 3 and '2024-Q3' for another
-- indicator or quarter.
SELECT
    u.unit_code,
    u.value,
    a.value AS agency_value,
    u.value - a.value AS difference,
    u.n_source_rows,
    u.as_of_month
FROM indicator_result u
JOIN indicator_result a ON a.pk_year = u.pk_year AND a.indicator_no = u.indicator_no
    AND a.period = u.period AND a.unit_code = 'ALL'
WHERE u.pk_year = 2024
    AND u.indicator_no = 3
    AND u.period = '2024-Q3'
    AND u.unit_code <> 'ALL'
ORDER BY CASE WHEN u.value IS NULL THEN 1 ELSE 0 END, u.value, u.unit_code;
