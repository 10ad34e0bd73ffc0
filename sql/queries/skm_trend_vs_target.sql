-- Question: how does the SKM index move month by month, and is its 12-month average on target?
-- Indicator 3 (SKM) of PK 2024, agency level: the monthly index, its change on the previous
-- month, the 12-month rolling average (component skm_rolling_12m) and the year's target.
SELECT
    t.month,
    t.value AS ikm,
    t.change,
    c.value AS rolling_12m,
    t.year_target,
    CASE WHEN c.value >= t.year_target THEN 'on target' ELSE 'below target' END AS rolling_vs_target,
    t.n_source_rows AS responses
FROM v_indicator_trend t
LEFT JOIN indicator_component c ON c.pk_year = t.pk_year AND c.indicator_no = t.indicator_no
    AND c.unit_code = t.unit_code AND c.period = t.month AND c.component = 'skm_rolling_12m'
WHERE t.pk_year = 2024
    AND t.indicator_no = 3
    AND t.unit_code = 'ALL'
ORDER BY t.month;
