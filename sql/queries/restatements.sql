-- Question: which published numbers were later restated, and by how much?
-- Agency-level numbers of PK 2024 whose value or status changed after they were first
-- published for the same window (late or corrected source records, reruns), newest first.
SELECT
    indicator_no,
    indicator,
    period,
    as_of_month,
    first_value,
    previous_value,
    value,
    change,
    previous_status,
    status,
    revision,
    run_id,
    computed_at,
    is_current
FROM v_restatement
WHERE pk_year = 2024
    AND unit_code = 'ALL'
ORDER BY computed_at DESC, indicator_no, period;
