-- Question: which aspect of data quality (SDI) is weakest, month by month?
-- The four aspect ratios of indicator 5 (timeliness, completeness, uniqueness, validity),
-- agency level, one row per month of 2024, with the SDI score (their sum, 0-4).
SELECT
    r.period AS month,
    r.value AS sdi_score,
    MAX(CASE WHEN c.component = 'ketepatan_waktu' THEN c.value END) AS ketepatan_waktu,
    MAX(CASE WHEN c.component = 'kelengkapan' THEN c.value END) AS kelengkapan,
    MAX(CASE WHEN c.component = 'keunikan' THEN c.value END) AS keunikan,
    MAX(CASE WHEN c.component = 'validitas' THEN c.value END) AS validitas,
    MAX(CASE WHEN c.component = 'n_due' THEN c.value END) AS datasets_due
FROM indicator_result r
LEFT JOIN indicator_component c ON c.pk_year = r.pk_year AND c.indicator_no = r.indicator_no
    AND c.unit_code = r.unit_code AND c.period = r.period
WHERE r.pk_year = 2024
    AND r.indicator_no = 5
    AND r.unit_code = 'ALL'
    AND r.period_type = 'month'
GROUP BY r.period, r.value
ORDER BY r.period;
