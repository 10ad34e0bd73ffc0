-- Question: where does a number come from?
-- The year 2024 value of indicator 3 (SKM), agency level: the run that computed it, when,
-- through which month, from how many source rows, and the landing files that run read
-- (with their checksums). Change 3 and '2024' for another indicator or period.
SELECT
    r.indicator_no,
    r.period,
    r.value,
    r.revision,
    r.as_of_month,
    r.n_source_rows,
    r.computed_at,
    r.run_id,
    pr.period AS run_period,
    pr.status AS run_status,
    e.extract_id,
    e.landing_month,
    e.file,
    e.sha256,
    e.rows_staged
FROM indicator_result r
LEFT JOIN pipeline_run pr ON pr.run_id = r.run_id
LEFT JOIN pipeline_run_extract e ON e.run_id = r.run_id
WHERE r.pk_year = 2024
    AND r.indicator_no = 3
    AND r.unit_code = 'ALL'
    AND r.period = '2024'
ORDER BY e.extract_id;
